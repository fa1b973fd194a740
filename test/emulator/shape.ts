/** The JSON type of a value, telling arrays and null apart from objects. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Differences in shape (keys and value types, recursively) between a recorded body and an actual one; values
 * may differ. Every element of an actual array is compared with the recorded array's first element. Keys the
 * recording lacks are differences unless listed in `allowExtra` (fields that newer API versions added).
 */
export function shapeDiff(recorded: unknown, actual: unknown, allowExtra: ReadonlySet<string> = new Set(), path = '$'): string[] {
  const rt = jsonType(recorded);
  const at = jsonType(actual);
  if (rt !== at) return [`${path}: recorded ${rt}, got ${at}`];
  if (rt === 'array') {
    const rec = recorded as unknown[];
    const act = actual as unknown[];
    if (rec.length === 0) return [];
    if (act.length === 0) return [`${path}: recorded a non-empty array, got an empty one`];
    return act.flatMap((item, i) => shapeDiff(rec[0], item, allowExtra, `${path}[${i}]`));
  }
  if (rt !== 'object') return [];
  const rec = recorded as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  const diffs: string[] = [];
  for (const key of Object.keys(rec)) {
    if (!(key in act)) diffs.push(`${path}.${key}: missing`);
    else diffs.push(...shapeDiff(rec[key], act[key], allowExtra, `${path}.${key}`));
  }
  for (const key of Object.keys(act)) {
    if (!(key in rec) && !allowExtra.has(key)) diffs.push(`${path}.${key}: not in the recording`);
  }
  return diffs;
}
