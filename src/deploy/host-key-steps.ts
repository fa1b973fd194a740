import { RemoteCommandError } from '../lib/errors.js';
import { publicKeyFingerprint } from '../lib/ssh-host-key.js';
import { check } from '../remote/check.js';
import type { Executor } from '../remote/executor.js';

/** Until cloud-init's boot is over (its runcmd installs Docker): a VM without cloud-init, or where it failed, goes on. */
export async function waitForCloudInit(executor: Executor, signal?: AbortSignal): Promise<void> {
  await executor.run(['sh', '-c', 'command -v cloud-init >/dev/null 2>&1 || exit 0; cloud-init status --wait >/dev/null 2>&1; exit 0'], signal ? { signal } : {});
}

/**
 * Replaces the VM's ed25519 host key (the one handed over in user_data, which the metadata service keeps serving)
 * with one made on the VM, and prints its public half. OpenSSH before 9.8 reads the key files for each connection;
 * from 9.8 the listener must reload them (docs/architecture.md#host-keys).
 */
const REKEY = [
  'set -e',
  's=; [ "$(id -u)" = 0 ] || s="sudo -n"',
  'f=/etc/ssh/ssh_host_ed25519_key',
  '$s rm -f "$f.kamal-dev" "$f.kamal-dev.pub"',
  '$s ssh-keygen -q -t ed25519 -N "" -C "root@$(hostname)" -f "$f.kamal-dev"',
  '$s mv "$f.kamal-dev.pub" "$f.pub"',
  '$s mv "$f.kamal-dev" "$f"',
  'if ssh -V 2>&1 | grep -Eq "OpenSSH_(9\\.[89]|[1-9][0-9])"; then $s systemctl reload ssh 2>/dev/null || $s systemctl reload sshd; fi',
  'cat "$f.pub"',
].join('\n');

/** The fingerprint of the VM's new host key, made on the VM and read over the connection verified with the old one. */
export async function replaceHostKey(executor: Executor, signal?: AbortSignal): Promise<string> {
  const result = await check(executor, ['sh', '-c', REKEY], signal ? { signal } : {});
  const fresh = publicKeyFingerprint(result.stdout.trim().split('\n').pop() ?? '');
  if (!fresh) throw new RemoteCommandError(executor.host, 'replacing the SSH host key', 0, 'no public key printed');
  return fresh;
}
