import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConnectionError } from '../../src/lib/errors.js';
import { HostKeyMismatchError } from '../../src/remote/host-key.js';
import { connectSsh } from '../../src/remote/ssh-executor.js';
import { waitForSsh } from '../../src/remote/wait-for-ssh.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'host key pinning against real sshds', () => {
  let original: Sshd;
  let rebuilt: Sshd;

  beforeAll(async () => {
    original = await startSshd();
    // Another server with a fresh host key that accepts the same client key: the "rebuilt VM".
    rebuilt = await startSshd({ clientKeyPath: original.clientKeyPath });
  });

  afterAll(async () => {
    await rebuilt?.stop();
    await original?.stop();
  });

  const target = (sshd: Sshd) => ({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKeyPath: original.clientKeyPath,
  });

  it('returns the fingerprint ssh-keygen -lf prints for the host key on an unpinned connection', async () => {
    const { executor, hostKey } = await connectSsh(target(original));
    await executor.close();
    expect(hostKey).toBe(original.hostKeyFingerprint);
    expect(hostKey).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('accepts the pinned key', async () => {
    const { executor, hostKey } = await connectSsh({ ...target(original), pinnedHostKey: original.hostKeyFingerprint });
    expect(hostKey).toBe(original.hostKeyFingerprint);
    expect((await executor.run(['printf', 'ok'])).stdout).toBe('ok');
    await executor.close();
  });

  it('refuses a changed key with an error naming the workspace, the host and both fingerprints', async () => {
    const error = await connectSsh({
      ...target(rebuilt),
      name: 'myapp-dev-2',
      pinnedHostKey: original.hostKeyFingerprint,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(error).toBeInstanceOf(ConnectionError);
    const mismatch = error as HostKeyMismatchError;
    expect(mismatch.message).toBe(
      `myapp-dev-2 (127.0.0.1:${rebuilt.port}): host key changed: pinned ${original.hostKeyFingerprint}, ` +
        `server presented ${rebuilt.hostKeyFingerprint}; refusing to connect`,
    );
    expect(mismatch.hint).toMatch(/remove the workspace .* or edit its host_key in \.kamal\/dev_state\.yml/);
    expect(mismatch.exitCode).toBe(1);
    expect(await rebuilt.log()).not.toContain('Accepted publickey');
  });

  it('waitForSsh does not retry a changed key', async () => {
    const before = await rebuilt.connectionCount();
    const waiting = waitForSsh({ ...target(rebuilt), pinnedHostKey: original.hostKeyFingerprint, deadlineMs: 60_000 });
    await expect(waiting).rejects.toBeInstanceOf(HostKeyMismatchError);
    expect((await rebuilt.connectionCount()) - before).toBe(1);
  });
});
