import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../lib/errors.js';
import type { Secret } from '../lib/secret.js';
import { expandEntry } from './secrets-expand.js';
import { scanSecrets } from './secrets-parse.js';

export interface SecretsOptions {
  /** The file named by `secrets_file` (absolute); `<file>-common` is read before it. */
  secretsFile: string;
  /** Project folder: `$(commands)` run there, and messages name files relative to it. */
  root: string;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal | undefined;
  commandTimeoutMs?: number | undefined;
}

export interface LoadedSecrets {
  /** Every key of every file (later files override earlier ones). */
  values: Map<string, Secret>;
  /** The files that were read, as shown in messages, in order. */
  files: string[];
  /** The files that were looked for. */
  searched: string[];
}

async function readOptional(file: string, shown: string): Promise<string | undefined> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError(`${shown}: cannot read (${code ?? String(error)})`);
  }
  const nul = data.indexOf(0);
  if (nul !== -1) {
    const line = data.subarray(0, nul).toString('latin1').split('\n').length;
    throw new ConfigError(`${shown}:${line}: not a text file (binary data)`);
  }
  return data.toString('utf8');
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
    const ctx = { file: shown, cwd: options.root, env: options.env, earlier: values, signal: options.signal, commandTimeoutMs: options.commandTimeoutMs };
    values.set(entry.key, await expandEntry(entry, ctx));
  }
  return values;
}

/** Kamal's secrets: `<secrets_file>-common` then `<secrets_file>`, each parsed on its own, later keys winning. */
export async function loadSecrets(options: SecretsOptions): Promise<LoadedSecrets> {
  const values = new Map<string, Secret>();
  const files: string[] = [];
  const searched: string[] = [];
  for (const file of [`${options.secretsFile}-common`, options.secretsFile]) {
    const relative = path.relative(options.root, file);
    const shown = relative && !relative.startsWith('..') ? relative : file;
    searched.push(shown);
    const text = await readOptional(file, shown);
    if (text === undefined) continue;
    files.push(shown);
    for (const [key, value] of await parseSecretsFile(text, shown, options)) values.set(key, value);
  }
  return { values, files, searched };
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
