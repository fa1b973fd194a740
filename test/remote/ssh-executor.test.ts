import { afterAll, beforeAll, expect, it } from 'vitest';
import { CancelledError, RemoteCommandError } from '../../src/lib/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { check } from '../../src/remote/check.js';
import { and, or, pipe } from '../../src/remote/script.js';
import { connectSsh, type SshExecutor } from '../../src/remote/ssh-executor.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { randomStrings } from './random-strings.js';

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'ssh executor against a real sshd', () => {
  let sshd: Sshd;
  let executor: SshExecutor;
  const commands: { command: string; ms: number; exitCode: number }[] = [];
  const secret = new Secret('hunter2-very-secret');
  const quoted = new Secret("it's a secret");

  beforeAll(async () => {
    sshd = await startSshd();
    ({ executor } = await connectSsh({
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      privateKeyPath: `${sshd.clientKeyPath}.pub`,
      secrets: [secret, quoted],
      onCommand: (command, ms, exitCode) => commands.push({ command, ms, exitCode }),
    }));
  });

  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });

  it('round-trips 500 random strings through printf %s unchanged', async () => {
    const strings = randomStrings(500, 20261122);
    expect(strings).toHaveLength(500);
    expect(strings).toContain('');
    for (let i = 0; i < strings.length; i += 25) {
      const batch = strings.slice(i, i + 25);
      const results = await Promise.all(batch.map((text) => executor.run(['printf', '%s', text])));
      results.forEach((result, j) => {
        // stderr is not compared: the login shell's own startup files may write to it on a shared machine.
        expect(result, JSON.stringify(batch[j])).toMatchObject({ exitCode: 0, stdout: batch[j] });
      });
    }
  }, 240_000);

  it('carries exit codes and stderr, and never throws for a non-zero exit', async () => {
    expect(await executor.run(['sh', '-c', 'printf out; printf "err\\n" >&2; exit 7'])).toMatchObject({
      exitCode: 7,
      stdout: 'out',
      stderr: 'err\n',
    });
    expect((await executor.run(['false'])).exitCode).toBe(1);
    expect((await executor.run(['/no/such/command'])).exitCode).toBe(127);
  });

  it('reports a command killed by a signal as 128 + the signal number', async () => {
    expect((await executor.run(['sh', '-c', 'kill -TERM $$'])).exitCode).toBe(143);
    expect((await executor.run(['sh', '-c', 'kill -KILL $$'])).exitCode).toBe(137);
  });

  it('carries 10 MB of output and of multi-byte stdin faithfully', async () => {
    const size = 10 * 1024 * 1024;
    const out = await executor.run(['sh', '-c', `yes 0123456789abcde | head -c ${size}`]);
    expect(out.exitCode).toBe(0);
    expect(out.stdout.length).toBe(size);
    expect(out.stdout === '0123456789abcde\n'.repeat(size / 16)).toBe(true);

    const input = 'é日本🙂x'.repeat(700_000);
    const echoed = await executor.run(['cat'], { stdin: input });
    expect(Buffer.byteLength(echoed.stdout)).toBe(Buffer.byteLength(input));
    expect(echoed.stdout === input).toBe(true);
    const counted = await executor.run(['wc', '-c'], { stdin: Buffer.from(input) });
    expect(counted.stdout.trim()).toBe(String(Buffer.byteLength(input)));
  });

  it('streams output chunks to onOutput as they arrive', async () => {
    const chunks: { text: string; stream: string }[] = [];
    const script = 'for i in 1 2 3; do echo "o$i"; echo "e$i" >&2; sleep 0.05; done';
    const result = await executor.run(['sh', '-c', script], {
      onOutput: (text, stream) => chunks.push({ text, stream }),
    });
    expect(result.stdout).toBe('o1\no2\no3\n');
    expect(chunks.filter((c) => c.stream === 'stdout').map((c) => c.text).join('')).toBe(result.stdout);
    expect(chunks.filter((c) => c.stream === 'stderr').map((c) => c.text).join('')).toBe('e1\ne2\ne3\n');
    expect(chunks.length).toBeGreaterThanOrEqual(6);
  });

  it('composes with and / or / pipe without any caller-built shell text', async () => {
    const name = "it's $(x) `y`";
    expect((await executor.run(and(['printf', '%s', name], ['printf', '%s', '|ok']))).stdout).toBe(`${name}|ok`);
    expect((await executor.run(and(['false'], ['printf', 'never']))).stdout).toBe('');
    expect((await executor.run(or(['false'], ['printf', '%s', name]))).stdout).toBe(name);
    expect((await executor.run(pipe(['printf', '%s', name], ['tr', 'a-z', 'A-Z']))).stdout).toBe(name.toUpperCase());
    const nested = and(pipe(['printf', '%s', 'a;b'], ['tr', ';', '&']), or(['false'], ['printf', '%s', "'"]));
    expect((await executor.run(nested)).stdout).toBe("a&b'");
  });

  it('check() throws RemoteCommandError with host, redacted command, exit code and stderr tail', async () => {
    const argv = ['sh', '-c', `echo ${secret.reveal()} >&2; echo "boom" >&2; exit 3`];
    const error = await check(executor, argv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCommandError);
    const remote = error as RemoteCommandError;
    expect(remote.host).toBe('127.0.0.1');
    expect(remote.remoteExitCode).toBe(3);
    expect(remote.message).toMatch(/exited with 3: boom$/);
    expect(remote.command).toContain('[REDACTED]');
    expect(remote.stderrTail).toBe('[REDACTED]\nboom\n');
    expect(`${remote.message} ${remote.command} ${remote.stderrTail}`).not.toContain(secret.reveal());
    await expect(check(executor, ['true'])).resolves.toMatchObject({ exitCode: 0 });
  });

  it('reports every command to onCommand with secrets redacted', async () => {
    commands.length = 0;
    await executor.run(['printf', '%s', secret.reveal()]);
    await executor.run(['sh', '-c', 'exit 4']);
    await executor.run(and(['printf', '%s', quoted.reveal()], ['true']));
    expect(commands.map(({ command, exitCode }) => [command, exitCode])).toEqual([
      ['printf %s [REDACTED]', 0],
      ["sh -c 'exit 4'", 4],
      ["sh -c 'printf %s '\\''[REDACTED]'\\'' && true'", 0],
    ]);
    expect(commands.every((c) => Number.isInteger(c.ms) && c.ms >= 0)).toBe(true);
  });

  it('an aborted run rejects with CancelledError at once and its channel is closed', async () => {
    const loop = 'while :; do echo tick-31415; sleep 0.1; done';
    const controller = new AbortController();
    const chunks: string[] = [];
    const running = executor.run(['sh', '-c', loop], {
      signal: controller.signal,
      onOutput: (text) => {
        chunks.push(text);
        controller.abort();
      },
    });
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(chunks.join('')).toContain('tick-31415');
    let left = 'not checked';
    for (let i = 0; i < 100 && left !== ''; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      left = (await executor.run(['pgrep', '-f', `^sh -c ${loop}`])).stdout;
    }
    expect(left).toBe('');
    const aborted = executor.run(['sleep', '1'], { signal: AbortSignal.abort() });
    await expect(aborted).rejects.toBeInstanceOf(CancelledError);
  });

  it('ran every command above over one connection', async () => {
    await Promise.all(Array.from({ length: 20 }, () => executor.run(['true'])));
    const log = await sshd.log();
    expect(await sshd.connectionCount()).toBe(1);
    expect(log.match(/Accepted publickey/g)).toHaveLength(1);
    expect(log.match(/Starting session: command/g)?.length).toBeGreaterThan(530);
  });
});
