import { createHash } from 'node:crypto';

/** Returns the replacement of `${name:args…}`, or undefined to leave it literal. */
export type VariableLookup = (name: string, args: readonly string[]) => string | undefined;

/** The reference CLI's substitution: `${…}` non-greedy, split on `:`, unknown variables stay literal. */
export function substituteString(value: string, lookup: VariableLookup): string {
  return value.replace(/\$\{(.*?)\}/g, (match, inner: string) => {
    const [name = '', ...args] = inner.split(':');
    return lookup(name, args) ?? match;
  });
}

/** Substitutes every string value (never object keys); `lookupAt` gets each value's key path. */
export function substituteDeep<T>(value: T, lookupAt: (path: readonly PropertyKey[]) => VariableLookup, path: PropertyKey[] = []): T {
  if (typeof value === 'string') return substituteString(value, lookupAt(path)) as T;
  if (Array.isArray(value)) return value.map((item, i) => substituteDeep(item, lookupAt, [...path, i])) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substituteDeep(item, lookupAt, [...path, key]);
    return out as T;
  }
  return value;
}

/** Key path of the first string that uses `${localEnv}` / `${env}` without a variable name, if any. */
export function findNamelessEnv(value: unknown, path: PropertyKey[] = []): PropertyKey[] | undefined {
  if (typeof value === 'string') return /\$\{(localEnv|env)(:)?\}/.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNamelessEnv(item, [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findNamelessEnv(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** `${devcontainerId}` as the spec defines it: sha256 of the sorted-key JSON of the id labels, base 32, 52 digits. */
export function devcontainerId(labels: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.keys(labels).sort().map((key) => [key, labels[key]]));
  const hex = createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
  return BigInt(`0x${hex}`).toString(32).padStart(52, '0');
}
