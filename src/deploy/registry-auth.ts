import path from 'node:path';
import { registryHost, type RegistryCredential } from '../config/registry-schema.js';
import { envFileKey } from '../docker/env-file.js';
import type { Argv } from '../lib/argv.js';
import { quote } from '../remote/quote.js';

/** Docker runs `docker-credential-<name>` for a registry that config.json's credHelpers map to `<name>`. */
export const CREDENTIAL_HELPER = 'kamal-dev';
export const CREDENTIAL_HELPER_FILE = `docker-credential-${CREDENTIAL_HELPER}`;

/**
 * The DOCKER_CONFIG folder of a workspace's pushes and pulls: config.json and the credential helper, nothing
 * else (`docker login` is never run, so no password is ever written into a config.json).
 */
export function dockerConfigDir(home: string, workspace: string): string {
  return path.posix.join(home, '.kamal-dev', 'docker', workspace);
}

/** config.json of that folder: only the credential helper for the registry's host. */
export function dockerConfigJson(server: string): string {
  return `${JSON.stringify({ credHelpers: { [registryHost(server)]: CREDENTIAL_HELPER } }, null, 2)}\n`;
}

/** `text` as the inside of a JSON string (for a user name written into the helper). */
const jsonInner = (text: string) => JSON.stringify(text).slice(1, -1);

/** The helper's shell word for a credential: the secret read from the env file at run time, or the literal text. */
function credentialWord(credential: RegistryCredential): string {
  return 'secret' in credential ? `"$(value ${envFileKey(credential.secret)})"` : quote(jsonInner(credential.literal));
}

/**
 * `docker-credential-kamal-dev`: answers Docker's `get` for the registry's host with the user name and password,
 * read from the workspace's 0600 env file (`NAME_B64` lines) when it runs, JSON-escaped; `list` is empty and
 * `store`/`erase` do nothing. The script holds no secret: only the env file's path and the variables' names.
 */
export function credentialHelperScript(registry: { server: string; username: RegistryCredential; password: RegistryCredential }, envFile: string): string {
  const host = registryHost(registry.server);
  return [
    '#!/bin/sh',
    '# Written by kamal-dev: registry credentials for docker push and pull, from the workspace\'s env file.',
    '[ "$1" = get ] || { [ "$1" = list ] && echo \'{}\'; exit 0; }',
    'read -r server || true',
    `[ "$server" = ${quote(host)} ] || { echo 'credentials not found in native keychain'; exit 1; }`,
    `value() { sed -n "s/^$1=//p" ${quote(envFile)} | base64 -d | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g' -e 's/\\t/\\\\t/g'; }`,
    `printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$server" ${credentialWord(registry.username)} ${credentialWord(registry.password)}`,
    '',
  ].join('\n');
}

/** argv run with DOCKER_CONFIG set to `dir`, whose credential helper is then found on PATH. */
export function withDockerConfig(dir: string, argv: Argv): Argv {
  return ['sh', '-c', 'export DOCKER_CONFIG="$0" PATH="$0:$PATH"; exec "$@"', dir, ...argv];
}
