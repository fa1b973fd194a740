import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ConnectionError } from '../../src/lib/errors.js';
import type { SshConnection } from '../../src/remote/ssh-executor.js';
import { waitForSsh } from '../../src/remote/wait-for-ssh.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { freePort, generateKey, startSshd, type Sshd } from '../helpers/sshd.js';

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'waitForSsh against a booting sshd', () => {
  let keys: string;
  let clientKeyPath: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    keys = await mkdtemp(join(tmpdir(), 'kamal-dev-wait-'));
    clientKeyPath = join(keys, 'id_ed25519');
    await generateKey(clientKeyPath);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await rm(keys, { recursive: true, force: true });
  });

  const track = (sshd: Sshd) => {
    cleanups.push(() => sshd.stop());
    return sshd;
  };
  const trackConnection = (connection: SshConnection) => {
    cleanups.push(() => connection.executor.close());
    return connection;
  };

  it('connects to an sshd that starts 3 s after the call, and returns its host key', async () => {
    const port = await freePort();
    const waiting = waitForSsh({ host: '127.0.0.1', port, privateKeyPath: `${clientKeyPath}.pub`, deadlineMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const sshd = track(await startSshd({ port, clientKeyPath }));
    const connection = trackConnection(await waiting);
    expect(connection.hostKey).toBe(sshd.hostKeyFingerprint);
    expect((await connection.executor.run(['printf', 'up'])).stdout).toBe('up');
    expect(await sshd.connectionCount()).toBe(1);
  });

  it('keeps retrying while the key is not authorized yet, then connects once it is', async () => {
    const sshd = track(await startSshd({ clientKeyPath, authorize: false }));
    const waiting = waitForSsh({ host: sshd.host, port: sshd.port, privateKeyPath: clientKeyPath, deadlineMs: 60_000 });
    while ((await sshd.connectionCount()) < 2) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sshd.log()).not.toContain('Accepted publickey');
    await appendFile(sshd.authorizedKeysPath, await readFile(`${clientKeyPath}.pub`));
    const connection = trackConnection(await waiting);
    expect(connection.hostKey).toBe(sshd.hostKeyFingerprint);
    // Attempts are sequential: a second connection means the first one was refused and retried.
    expect(await sshd.connectionCount()).toBeGreaterThanOrEqual(2);
    expect((await sshd.log()).match(/Accepted publickey/g)).toHaveLength(1);
  });

  it('fails once, at the deadline, with the last cause when no sshd ever starts', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await waitForSsh({
      host: '127.0.0.1',
      port,
      name: 'myapp-dev-1',
      privateKeyPath: clientKeyPath,
      deadlineMs: 4_000,
    }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toBe(
      `myapp-dev-1 (127.0.0.1:${port}): SSH did not come up within 4 s; last error: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect((error as ConnectionError).hint).toMatch(/VM is running/);
    expect(elapsed).toBeGreaterThanOrEqual(3_900);
    expect(elapsed).toBeLessThan(8_000);
  });

  it('stops waiting when its signal aborts', async () => {
    const port = await freePort();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1_500);
    await expect(
      waitForSsh({ host: '127.0.0.1', port, privateKeyPath: clientKeyPath, signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'CancelledError' });
  });
});
