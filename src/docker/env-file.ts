import { ConfigError } from '../lib/errors.js';
import { Secret } from '../lib/secret.js';

/** The variable a secret is injected as: the gem's contract is `echo $KEY_B64 | base64 -d` in the container. */
export function envFileKey(name: string): string {
  return `${name}_B64`;
}

/**
 * The env file given to `docker run --env-file`: one `KEY_B64=<base64>` line per secret, in order. Base64 has
 * no quotes, spaces or newlines, so docker's literal env-file reading cannot alter a value. The content is
 * itself a Secret, so it prints as [REDACTED]; an empty list gives "\n" (as Kamal writes an empty env file).
 */
export function envFileContent(secrets: ReadonlyMap<string, Secret>): Secret {
  const lines = [...secrets].map(([name, value]) => `${envFileKey(name)}=${Buffer.from(value.reveal(), 'utf8').toString('base64')}\n`);
  return new Secret(lines.length ? lines.join('') : '\n');
}

/**
 * The env file given to `docker exec --env-file`: remoteEnv, one `KEY=VALUE` line each, which docker reads
 * literally (no quotes, no expansion), so a value cannot alter another. A newline cannot be written, so such a
 * value is refused, naming its key only.
 */
export function remoteEnvFileContent(entries: readonly (readonly [string, string])[]): Secret {
  for (const [key, value] of entries) {
    if (/[\r\n]/.test(value)) throw new ConfigError(`devcontainer.json remoteEnv.${key}: a value with a line break cannot be passed to docker exec`);
  }
  return new Secret(entries.map(([key, value]) => `${key}=${value}\n`).join('') || '\n');
}
