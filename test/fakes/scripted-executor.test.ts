import { describe, expect, it } from 'vitest';
import { CancelledError, RemoteCommandError } from '../../src/lib/errors.js';
import { check } from '../../src/remote/check.js';
import type { Executor } from '../../src/remote/executor.js';
import { matching, prefix, ScriptedExecutor } from './scripted-executor.js';

describe('ScriptedExecutor', () => {
  it('answers each expected command with its result; missing fields are exit 0 and no output', async () => {
    const host: Executor = new ScriptedExecutor('198.51.100.7', [
      { argv: ['docker', 'version'], result: { stdout: '27.3.1\n' } },
      { argv: ['true'] },
      { argv: ['false'], result: { exitCode: 1, stderr: 'nope\n' } },
    ]);
    expect(host.host).toBe('198.51.100.7');
    expect(await host.run(['docker', 'version'])).toEqual({ exitCode: 0, stdout: '27.3.1\n', stderr: '', command: 'docker version' });
    expect(await host.run(['true'])).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    // It plugs into the real helpers: check() turns the non-zero exit into a RemoteCommandError.
    await expect(check(host, ['false'])).rejects.toBeInstanceOf(RemoteCommandError);
  });

  it('fails an unexpected command, naming it and what was expected, and assertDone() reports it even if it was caught', async () => {
    const host = new ScriptedExecutor('h1', [{ argv: ['docker', 'ps'] }, { argv: prefix('docker', 'run'), times: 2 }]);
    const error = (await host.run(['docker', 'rm', '-f', 'ws-1']).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      'ScriptedExecutor(h1): unexpected command ["docker","rm","-f","ws-1"]; expected one of: ["docker","ps"] (used 0 of 1); ["docker","run", ...] (used 0 of 2)',
    );
    await host.run(['docker', 'ps']);
    await host.run(['docker', 'run', 'a']);
    await host.run(['docker', 'run', 'b']);
    expect(() => host.assertDone()).toThrow(/script not done:\n {2}ScriptedExecutor\(h1\): unexpected command \["docker","rm","-f","ws-1"\]/);
    await expect(host.run(['docker', 'run', 'c'])).rejects.toThrow('expected no more commands');
  });

  it('assertDone() lists the expectations never used (or used too few times); `any` may stay unused', async () => {
    const host = new ScriptedExecutor('h2', [
      { argv: ['a'] },
      { argv: prefix('b'), times: 3 },
      { argv: matching('a docker inspect', (argv) => argv[0] === 'docker' && argv[1] === 'inspect'), times: 'any' },
      { argv: ['c'] },
    ]);
    await host.run(['a']);
    await host.run(['b', '1']);
    expect(() => host.verify()).toThrow('ScriptedExecutor(h2): script not done:\n  never used: ["b", ...] (used 1 of 3)\n  never used: ["c"] (used 0 of 1)');
    await host.run(['b', '2']);
    await host.run(['b', '3']);
    await host.run(['c']);
    host.assertDone();
  });

  it('a result may be computed from the argv and the run options; output reaches onOutput', async () => {
    const host = new ScriptedExecutor('h3', [
      { argv: (argv) => argv[0] === 'echo', result: (argv, options) => ({ stdout: `${argv.slice(1).join(' ')} ${String(options.stdin ?? '')}` }), times: 'any' },
    ]);
    const chunks: string[] = [];
    expect((await host.run(['echo', 'hi'], { stdin: 'there', onOutput: (chunk) => chunks.push(chunk) })).stdout).toBe('hi there');
    expect((await host.run(['echo', 'again'])).stdout).toBe('again ');
    expect(chunks).toEqual(['hi there']);
    expect(host.runs[0]).toEqual({ argv: ['echo', 'hi'], stdin: 'there' });
    host.assertDone();
  });

  it('records uploads with their mode, and runs and uploads in the order they happened', async () => {
    const host = new ScriptedExecutor('h4', [{ argv: ['mkdir', '-p', '/srv/ws'] }, { argv: prefix('docker', 'run'), times: 'any' }]);
    await host.run(['mkdir', '-p', '/srv/ws']);
    await host.upload('/srv/ws/.env', 'KEY=value\n', 0o600);
    await host.upload('/srv/ws/run.sh', Buffer.from('#!/bin/sh\n'), 0o755);
    await host.run(['docker', 'run', '--env-file', '/srv/ws/.env', 'img']);
    expect(host.uploads).toEqual([
      { path: '/srv/ws/.env', content: 'KEY=value\n', mode: 0o600 },
      { path: '/srv/ws/run.sh', content: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
    ]);
    expect(host.argvs).toEqual([
      ['mkdir', '-p', '/srv/ws'],
      ['docker', 'run', '--env-file', '/srv/ws/.env', 'img'],
    ]);
    expect(host.history.map((entry) => (entry.kind === 'run' ? `run ${entry.argv.join(' ')}` : `upload ${entry.path} ${entry.mode.toString(8)}`))).toEqual([
      'run mkdir -p /srv/ws',
      'upload /srv/ws/.env 600',
      'upload /srv/ws/run.sh 755',
      'run docker run --env-file /srv/ws/.env img',
    ]);
    host.assertDone();
  });

  it('ordered: expectations are used in script order', async () => {
    const host = new ScriptedExecutor('h5', [{ argv: ['first'] }, { argv: ['poll'], times: 'any' }, { argv: ['last'] }], { ordered: true });
    await expect(host.run(['last'])).rejects.toThrow('unexpected command ["last"]');
    await host.run(['first']);
    await host.run(['poll']);
    await host.run(['poll']);
    await host.run(['last']);
    await expect(host.run(['first'])).rejects.toThrow('unexpected command ["first"]');
    expect(host.unexpected).toHaveLength(2);
  });

  it('a failed upload, an aborted run and use after close', async () => {
    const host = new ScriptedExecutor('h6', [{ argv: ['x'], times: 'any' }], { redact: (text) => text.replaceAll('hunter2', '[REDACTED]') });
    host.failNextUpload(new Error('sftp: permission denied'));
    await expect(host.upload('/etc/x', 'a', 0o644)).rejects.toThrow('sftp: permission denied');
    expect(host.uploads).toEqual([]);
    const controller = new AbortController();
    controller.abort();
    await expect(host.run(['x'], { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(host.redact!('pw hunter2')).toBe('pw [REDACTED]');
    await host.close();
    await expect(host.run(['x'])).rejects.toThrow('run after close');
  });
});
