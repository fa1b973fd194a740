import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConnectionError } from '../../src/lib/errors.js';
import { ExecutorPool } from '../../src/remote/pool.js';
import { connectSsh } from '../../src/remote/ssh-executor.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'executor pool against real sshds', () => {
  let first: Sshd;
  let second: Sshd;

  beforeAll(async () => {
    first = await startSshd();
    second = await startSshd({ clientKeyPath: first.clientKeyPath });
  });

  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  const options = (sshd: Sshd) => ({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKeyPath: `${first.clientKeyPath}.pub`,
  });

  it('shares one connection per host across concurrent and later requests, and closes them all', async () => {
    const pool = new ExecutorPool();
    const executors = await Promise.all([pool.get(options(first)), pool.get(options(first)), pool.get(options(second))]);
    expect(executors[0]).toBe(executors[1]);
    expect(executors[0]).not.toBe(executors[2]);
    for (let i = 0; i < 10; i++) {
      const executor = await pool.get(options(i % 2 === 0 ? first : second));
      expect((await executor.run(['printf', '%s', String(i)])).stdout).toBe(String(i));
    }
    expect(await first.connectionCount()).toBe(1);
    expect(await second.connectionCount()).toBe(1);
    expect(pool.hostKey(options(first))).toBe(first.hostKeyFingerprint);
    expect(pool.hostKey(options(second))).toBe(second.hostKeyFingerprint);

    await pool.closeAll();
    await expect(executors[0]?.run(['true'])).rejects.toThrow(/connection was lost: connection closed/);
    const log = await first.log();
    expect(log).toMatch(/Disconnected from user/);
  });

  it('reports a connection lost mid-command as a ConnectionError and reconnects on the next request', async () => {
    const pool = new ExecutorPool();
    const executor = await pool.get(options(second));
    // The command's parent is sshd's process for this connection: killing it drops the connection.
    const lost = await executor.run(['sh', '-c', 'kill -KILL $PPID; sleep 5']).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ConnectionError);
    expect((lost as Error).message).toBe(`127.0.0.1:${second.port}: the connection ended before the remote command finished`);
    expect(executor.alive).toBe(false);
    const replacement = await pool.get(options(second));
    expect(replacement).not.toBe(executor);
    expect((await replacement.run(['printf', 'back'])).stdout).toBe('back');
    await pool.closeAll();
  });

  it('replaces a closed connection on the next request, pinned to the key seen first', async () => {
    const pool = new ExecutorPool();
    const executor = await pool.get(options(first));
    await executor.close();
    const replacement = await pool.get(options(first));
    expect(replacement).not.toBe(executor);
    expect((await replacement.run(['printf', 'again'])).stdout).toBe('again');
    await pool.closeAll();

    // A pool whose first connection to this address saw another key refuses the server on reconnecting.
    const other = new ExecutorPool();
    const seenElsewhere = await connectSsh(options(second));
    await seenElsewhere.executor.close();
    other.adopt(options(first), seenElsewhere);
    await expect(other.get(options(first))).rejects.toThrow(
      `pinned ${second.hostKeyFingerprint}, server presented ${first.hostKeyFingerprint}`,
    );
    await other.closeAll();
  });
});
