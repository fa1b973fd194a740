import { readFile } from 'node:fs/promises';
import { parseJsonc } from '../../devcontainer/jsonc.js';
import { ConfigError } from '../../lib/errors.js';

/** `devcontainer-lock.json`, as the reference CLI writes it: per feature key, its version, resolved reference and integrity. */
export interface Lockfile {
  features: Record<string, { version?: string; resolved?: string; integrity?: string }>;
}

/** The lockfile beside devcontainer.json (`.devcontainer-lock.json` for a `.devcontainer.json`). */
export function lockfilePath(devcontainerPath: string): string {
  const base = devcontainerPath.split('/').at(-1) ?? '';
  return devcontainerPath.replace(/[^/]*$/, base.startsWith('.') ? '.devcontainer-lock.json' : 'devcontainer-lock.json');
}

/** The lockfile, honoured when present: a locked registry feature is fetched by its digest. Missing or empty: none. */
export async function readLockfile(file: string, name: string): Promise<Lockfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { features: {} };
  }
  if (text.trim() === '') return { features: {} };
  const value = parseJsonc(text, `${name} (devcontainer-lock.json)`).value as Partial<Lockfile> | undefined;
  if (!value || typeof value !== 'object' || (value.features !== undefined && typeof value.features !== 'object')) {
    throw new ConfigError(`${file}: expected {"features": {…}}`);
  }
  return { features: value.features ?? {} };
}
