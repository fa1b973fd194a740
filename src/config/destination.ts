import path from 'node:path';

/** A destination name: it becomes part of file names and labels, so letters, digits, `-` and `_` only. */
const DESTINATION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** Why `name` cannot be a destination, or undefined when it can. */
export function invalidDestination(name: string): string | undefined {
  if (DESTINATION_NAME.test(name)) return undefined;
  return `-d, --destination: expected a name of letters, digits, - and _ (at most 63), got ${JSON.stringify(name.slice(0, 70))}`;
}

/** Kamal's destination file: `config/dev.yml` with `-d staging` is `config/dev.staging.yml`, beside it. */
export function destinationConfigPath(configPath: string, destination: string): string {
  const ext = path.extname(configPath);
  return ext ? `${configPath.slice(0, -ext.length)}.${destination}${ext}` : `${configPath}.${destination}`;
}

/** The state file of a destination: `.kamal/dev_state.yml`, or `.kamal/dev_state.NAME.yml` (docs/state.md). */
export function stateFileName(destination: string | undefined): string {
  return destination === undefined ? '.kamal/dev_state.yml' : `.kamal/dev_state.${destination}.yml`;
}

/**
 * The secrets files, in the order they are read: `<secrets_file>-common`, then `<secrets_file>` or, with a
 * destination, `<secrets_file>.NAME` instead (Kamal's choice; docs/configuration.md#secrets).
 */
export function secretsFiles(secretsFile: string, destination: string | undefined): { common: string; main: string } {
  return { common: `${secretsFile}-common`, main: destination === undefined ? secretsFile : `${secretsFile}.${destination}` };
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Kamal's merge of a destination file over the base: mappings key by key, lists and scalars replaced. */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isMapping(base) || !isMapping(overlay)) return overlay;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    // defineProperty: a `__proto__` key of the YAML stays a key and never becomes a prototype
    Object.defineProperty(out, key, { value: Object.hasOwn(base, key) ? deepMerge(base[key], value) : value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Whether the value at `keys` of the merged config came from `overlay` (it set the value or one above it). */
export function setByOverlay(overlay: unknown, keys: readonly PropertyKey[]): boolean {
  let node = overlay;
  for (const key of keys) {
    if (!isMapping(node) || typeof key !== 'string' || !Object.hasOwn(node, key)) return false;
    node = node[key];
    if (!isMapping(node)) return true;
  }
  return true;
}
