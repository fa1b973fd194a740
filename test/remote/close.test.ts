import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectSsh } from '../../src/remote/ssh-executor.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

/** The sshd listener and every process it forked (one per connection). */
function sshdProcesses(sshd: Sshd): number[] {
  const listener = Number(readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8'));
  const children = execFileSync('pgrep', ['-P', String(listener)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  const grandchildren = children.flatMap((pid) => {
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return [listener, ...children, ...grandchildren];
}

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'closing a connection to a host that stopped answering', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('gives up on a polite close after the grace time instead of hanging (a VM destroyed under it)', async () => {
    const { executor } = await connectSsh({ host: sshd.host, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath });
    expect((await executor.run(['true'])).exitCode).toBe(0);
    const frozen = sshdProcesses(sshd);
    expect(frozen.length).toBeGreaterThan(1);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      await executor.close(500);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(5_000);
      expect(executor.alive).toBe(false);
      // No socket to the frozen host is left to keep the process from exiting.
      await new Promise((r) => setTimeout(r, 50));
      const handles = (process as unknown as { _getActiveHandles(): Array<{ remotePort?: number }> })._getActiveHandles();
      expect(handles.filter((h) => h.remotePort === sshd.port)).toEqual([]);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
  });
});
