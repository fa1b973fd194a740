import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { parseSecretsFile, type LoadedSecrets, type SecretsOptions } from '../config/secrets.js';
import { ConfigError } from '../lib/errors.js';
import type { Secret } from '../lib/secret.js';
import { shellCommandRunner } from './shell.js';

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

/**
 * Kamal's secrets: the common file (default `<secrets_file>-common`), then `secretsFile`, each parsed on its
 * own, later keys winning.
 */
export async function loadSecrets(options: Omit<SecretsOptions, 'run'> & { commonFile?: string | undefined }): Promise<LoadedSecrets> {
  const parse = { ...options, run: shellCommandRunner };
  const values = new Map<string, Secret>();
  const files: string[] = [];
  const searched: string[] = [];
  for (const file of [options.commonFile ?? `${options.secretsFile}-common`, options.secretsFile]) {
    const relative = path.relative(options.root, file);
    const shown = relative && !relative.startsWith('..') ? relative : file;
    searched.push(shown);
    const text = await readOptional(file, shown);
    if (text === undefined) continue;
    files.push(shown);
    for (const [key, value] of await parseSecretsFile(text, shown, parse)) values.set(key, value);
  }
  return { values, files, searched };
}


/** The secrets files that dev.yml (and the destination) name, read from the project folder. */
export function loadConfigSecrets(config: LoadedConfig, env: SecretsOptions['env'], signal?: AbortSignal): Promise<LoadedSecrets> {
  return loadSecrets({ secretsFile: config.secretsFile, commonFile: config.secretsCommonFile, root: config.root, env, signal });
}
