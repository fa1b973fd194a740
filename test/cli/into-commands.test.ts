import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeExecCommand } from '../../src/cli/commands/exec.js';
import { makeForwardCommand, parsePortSpec } from '../../src/cli/commands/forward.js';
import { makeLogsCommand } from '../../src/cli/commands/logs.js';
import { makeSshConfigCommand } from '../../src/cli/commands/ssh-config.js';
import { makeSshCommand } from '../../src/cli/commands/ssh.js';
import { Context } from '../../src/cli/context.js';
import { expandPlaceholders } from '../../src/deploy/placeholders.js';
import { PrefixedOutput } from '../../src/ui/prefixed.js';

/** Parses `args` as main would (the context keeps the command line: exec and ssh look for `--` in it). */
async function parsed<T extends unknown[]>(make: (ctx: Context, run: (ctx: Context, ...rest: T) => Promise<void>) => Command, args: string[]): Promise<T> {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  const ctx = new Context({ io, env: {}, cwd: '/nonexistent', signal: new AbortController().signal });
  ctx.argv = ['node', 'kamal-dev', 'cmd', ...args];
  const calls: T[] = [];
  await make(ctx, async (_ctx, ...rest) => {
    calls.push(rest);
  })
    .exitOverride()
    .parseAsync(args, { from: 'user' });
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

describe('exec, ssh, ssh-config, logs, forward: flags to options, without their actions', () => {
  it('exec: NAME or --all, the argv after -- untouched (options in it included)', async () => {
    expect(await parsed(makeExecCommand, ['ws-1', '--', 'sh', '-c', 'echo "$X"', '--all', '-t'])).toEqual([
      { name: 'ws-1', all: false, format: 'text', parallel: undefined, interactive: false, tty: false, start: false, argv: ['sh', '-c', 'echo "$X"', '--all', '-t'] },
    ]);
    expect(await parsed(makeExecCommand, ['--all', '--format', 'json', '--parallel', '3', '--', 'true'])).toEqual([
      { name: undefined, all: true, format: 'json', parallel: 3, interactive: false, tty: false, start: false, argv: ['true'] },
    ]);
    expect(await parsed(makeExecCommand, ['-it', 'ws-1', '--', 'bash'])).toEqual([
      { name: 'ws-1', all: false, format: 'text', parallel: undefined, interactive: true, tty: true, start: false, argv: ['bash'] },
    ]);
    expect((await parsed(makeExecCommand, ['ws-1']))[0]).toMatchObject({ name: 'ws-1', argv: [] });
    expect((await parsed(makeExecCommand, ['--start', 'ws-1', '--', 'true']))[0]).toMatchObject({ name: 'ws-1', start: true, argv: ['true'] });
    await expect(parsed(makeExecCommand, ['ws-1', 'ws-2', '--', 'true'])).rejects.toThrow('exec: one workspace NAME before --, not 2 (ws-1 ws-2)');
    await expect(parsed(makeExecCommand, ['--all', '--parallel', 'x', '--', 'true'])).rejects.toThrow('--parallel must be a whole number of at least 1, not "x"');
    await expect(parsed(makeExecCommand, ['--all', '--format', 'xml', '--', 'true'])).rejects.toThrow(/Allowed choices are text, json/);
  });

  it('ssh, ssh-config, logs, forward', async () => {
    expect(await parsed(makeSshCommand, ['ws-1'])).toEqual([{ name: 'ws-1', vm: false, stdio: false, start: false, argv: undefined }]);
    expect(await parsed(makeSshCommand, ['ws-1', '--vm', '--', 'sh', '-c', 'exit 5'])).toEqual([{ name: 'ws-1', vm: true, stdio: false, start: false, argv: ['sh', '-c', 'exit 5'] }]);
    expect((await parsed(makeSshCommand, ['--start', 'ws-1']))[0]).toMatchObject({ name: 'ws-1', start: true });
    await expect(parsed(makeSshCommand, ['ws-1', '--'])).rejects.toThrow('ssh: no command after --');
    expect(await parsed(makeSshConfigCommand, [])).toEqual([[]]);
    expect(await parsed(makeSshConfigCommand, ['a', 'b'])).toEqual([['a', 'b']]);
    expect(await parsed(makeLogsCommand, ['ws-1', '-f', '-n', '20', '--since', '10m'])).toEqual([{ name: 'ws-1', follow: true, tail: 20, since: '10m', lifecycle: false }]);
    expect(await parsed(makeLogsCommand, ['ws-1', '--lifecycle'])).toEqual([{ name: 'ws-1', follow: false, tail: undefined, since: undefined, lifecycle: true }]);
    await expect(parsed(makeLogsCommand, ['ws-1', '--lifecycle', '--since', '1h'])).rejects.toThrow('logs: --since works with the container log, not --lifecycle');
    expect(await parsed(makeForwardCommand, ['ws-1'])).toEqual([{ name: 'ws-1', ports: [], start: false }]);
    expect(await parsed(makeForwardCommand, ['ws-1', '--start'])).toEqual([{ name: 'ws-1', ports: [], start: true }]);
    expect(await parsed(makeForwardCommand, ['ws-1', '3000', '5432:15432'])).toEqual([{ name: 'ws-1', ports: [{ remote: 3000, local: 3000 }, { remote: 5432, local: 15432 }], start: false }]);
  });

  it('forward: every port a number from 1 to 65535', () => {
    expect(parsePortSpec('65535:1')).toEqual({ remote: 65535, local: 1 });
    for (const bad of ['0', '65536', 'http', '80:', ':80', '1:2:3', '-1', '8080.5', ' 80']) {
      expect(() => parsePortSpec(bad)).toThrow(`forward: ${JSON.stringify(bad)} is not a port: expected PORT or REMOTE:LOCAL, numbers from 1 to 65535`);
    }
  });
});

describe('exec placeholders', () => {
  const ws = { name: 'app-3', index: 3 };
  it('{name} and {index} per workspace; {{ and }} are literal braces', () => {
    expect(expandPlaceholders('issue-{index}', ws)).toBe('issue-3');
    expect(expandPlaceholders('{name}/{index}/{name}', ws)).toBe('app-3/3/app-3');
    expect(expandPlaceholders('{{name}} {{{index}}} }}{{', ws)).toBe('{name} {3} }{');
    expect(expandPlaceholders('no braces, $(id) `x`', ws)).toBe('no braces, $(id) `x`');
  });
  it('anything else in braces, or a lone brace, is a usage error (exit 2)', () => {
    for (const bad of ['{nme}', '{}', 'a{b', 'a}b', '{index:02}']) {
      expect(() => expandPlaceholders(bad, ws)).toThrow(/^exec: unknown placeholder/);
    }
  });
});

describe('prefixed output of several workspaces', () => {
  it('whole lines, names padded to the longest, stdout and stderr apart, partial lines held until flush', () => {
    const out = new PassThrough();
    const err = new PassThrough();
    const text = { out: '', err: '' };
    out.on('data', (c: Buffer) => (text.out += c.toString()));
    err.on('data', (c: Buffer) => (text.err += c.toString()));
    const p = new PrefixedOutput({ stdin: new PassThrough(), stdout: out, stderr: err }, ['a-1', 'long-name-2'], false);
    p.write('a-1', 'one\ntw', 'stdout');
    p.write('long-name-2', 'x\n', 'stderr');
    p.write('a-1', 'o\nthree', 'stdout');
    expect(text.out).toBe('a-1         | one\na-1         | two\n');
    p.flush();
    expect(text.out).toBe('a-1         | one\na-1         | two\na-1         | three\n');
    expect(text.err).toBe('long-name-2 | x\n');
  });
});
