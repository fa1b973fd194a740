import { parseYaml, validateConfig } from '../../../src/config/load.js';
import { scanSecrets } from '../../../src/config/secrets-parse.js';
import { parseDevcontainer } from '../../../src/devcontainer/parse.js';
import { ConfigError } from '../../../src/lib/errors.js';
import type { FileKind } from './mutate.js';

/**
 * Whether kamal-dev's own parser of that file, called in this process, accepts the text: the cross-check of an
 * exit 0 of the binary. 'threw' when it fails with something other than a ConfigError.
 */
export function parserAccepts(kind: FileKind, bytes: Buffer, env: Record<string, string | undefined>, projectFolder: string): boolean | 'threw' {
  const text = bytes.toString('utf8');
  try {
    if (kind === 'dev.yml') validateConfig(parseYaml(text, 'config/dev.yml'), 'config/dev.yml');
    else if (kind === 'devcontainer.json') parseDevcontainer(text, '.devcontainer/devcontainer.json', { env, projectFolder });
    else scanSecrets(text, '.kamal/secrets');
    return true;
  } catch (error) {
    return error instanceof ConfigError ? false : 'threw';
  }
}
