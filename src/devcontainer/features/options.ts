import type { FeatureMetadata, FeatureValue } from './types.js';

/** An option id as an environment variable name, as the spec says: `my-option` → `MY_OPTION`, `1st` → `_ST`. */
export function optionEnvName(id: string): string {
  return id.replace(/[^\w]/g, '_').replace(/^[\d_]+/, '_').toUpperCase();
}

/**
 * The options a feature installs with: every declared default, then the user's keys (undeclared ones too). A string
 * or boolean value is the `version` option when the feature declares one, and is otherwise ignored (`false` still
 * installs the feature, as with the reference CLI).
 */
export function optionValues(metadata: FeatureMetadata, value: FeatureValue): Record<string, unknown> {
  const declared = metadata.options ?? {};
  const out: Record<string, unknown> = {};
  for (const [id, option] of Object.entries(declared)) if (option.default !== undefined) out[id] = option.default;
  if (typeof value === 'object') Object.assign(out, value);
  else if ('version' in declared) out.version = value;
  return out;
}

/** JavaScript's string conversion, as the reference writes option values (arrays comma-joined, no escaping). */
function asText(value: unknown): string {
  return String(value);
}

/** `devcontainer-features.env`: `NAME="value"` lines joined by `\n`, no trailing newline, values unescaped. */
export function optionEnvFile(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([id, value]) => `${optionEnvName(id)}="${asText(value)}"`)
    .join('\n');
}

/** The first option value that would change meaning inside the double quotes of the env file `sh` sources. */
export function unsafeOptionValue(values: Record<string, unknown>): [string, string] | undefined {
  for (const [id, value] of Object.entries(values)) {
    const text = asText(value);
    if (/["`$\\\n]/.test(text)) return [id, text];
  }
  return undefined;
}
