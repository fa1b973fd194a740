import { ConfigError } from '../lib/errors.js';
import type { Secret } from '../lib/secret.js';
import { expandEntry, type CommandRunner } from './secrets-expand.js';
import { scanSecrets } from './secrets-parse.js';

export interface SecretsOptions {
  /** The file named by `secrets_file` (absolute); `<file>-common` is read before it. */
  secretsFile: string;
  /** Project folder: `$(commands)` run there, and messages name files relative to it. */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal | undefined;
  commandTimeoutMs?: number | undefined;
  run: CommandRunner;
}

export interface LoadedSecrets {
  /** Every key of every file (later files override earlier ones). */
  values: Map<string, Secret>;
  /** The files that were read, as shown in messages, in order. */
  files: string[];
  /** The files that were looked for. */
  searched: string[];
}

/** Parses one secrets file with Kamal's semantics; references see earlier keys of this file, then the env. */
export async function parseSecretsFile(text: string, shown: string, options: SecretsOptions): Promise<Map<string, Secret>> {
  const values = new Map<string, Secret>();
  for (const entry of scanSecrets(text, shown)) {
    if (entry.kind === 'export') {
      const unset = entry.keys.find((key) => !values.has(key));
      if (unset !== undefined) throw new ConfigError(`${shown}:${entry.line}: export ${unset}: has no value and is not set earlier in the file`);
      continue;
    }
    const ctx = { file: shown, cwd: options.root, env: options.env, earlier: values, signal: options.signal, commandTimeoutMs: options.commandTimeoutMs, run: options.run };
    values.set(entry.key, await expandEntry(entry, ctx));
  }
  return values;
}

/** The listed secrets in list order; a name no file defines is an error naming the files looked at. */
export function requireSecrets(loaded: LoadedSecrets, names: readonly string[], configFile: string): Map<string, Secret> {
  const out = new Map<string, Secret>();
  for (const [index, name] of names.entries()) {
    const value = loaded.values.get(name);
    if (!value) {
      const where = loaded.files.length ? `not defined in ${loaded.files.join(' or ')}` : `not defined: no secrets file (looked for ${loaded.searched.join(', ')})`;
      throw new ConfigError(`${configFile}: secrets[${index}]: ${name} is ${where}`, {
        hint: `Add a line such as ${name}=$${name} to ${loaded.searched.at(-1) ?? '.kamal/secrets'}.`,
      });
    }
    out.set(name, value);
  }
  return out;
}
