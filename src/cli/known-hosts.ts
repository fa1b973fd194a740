import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { statePath } from '../state/paths.js';

/** The OpenSSH host names of a workspace: its container, and its VM (docs/commands.md#ssh-config). */
export const hostAlias = (name: string) => `${name}.kamal-dev`;
export const vmAlias = (name: string) => `${name}.vm.kamal-dev`;

/** `.kamal/known_hosts` beside the state: the host keys pinned at deploy, for OpenSSH (`UserKnownHostsFile`). */
export function knownHostsPath(cwd: string): string {
  return path.join(path.dirname(statePath(cwd)), 'known_hosts');
}

/**
 * Records `publicKey` for `alias` (replacing what was there), mode 0600. The key comes from a connection that
 * the pinned fingerprint allowed, so OpenSSH then checks the same key the deploy pinned.
 */
export function recordHostKey(file: string, entries: ReadonlyMap<string, string>): void {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
  const kept = lines.filter((line) => !entries.has(line.split(' ')[0] ?? ''));
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, [...kept, ...[...entries].map(([alias, key]) => `${alias} ${key}`)].join('\n') + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The host key of the stdio SSH server that the `NAME.kamal-dev` hosts reach (made by ssh-config, 0600). */
export function stdioHostKeyPath(cwd: string): string {
  return path.join(path.dirname(statePath(cwd)), 'ssh_host_ed25519_key');
}
