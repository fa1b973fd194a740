import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeConfigCommand } from '../../src/cli/commands/config.js';
import { makeDeployCommand } from '../../src/cli/commands/deploy.js';
import { makeInitCommand } from '../../src/cli/commands/init.js';
import { makeListCommand } from '../../src/cli/commands/list.js';
import { makePowerCommand } from '../../src/cli/commands/power.js';
import { makeRemoveCommand } from '../../src/cli/commands/remove.js';
import { makeStatusCommand } from '../../src/cli/commands/status.js';
import { makeSyncCommand } from '../../src/cli/commands/sync.js';
import { Context } from '../../src/cli/context.js';

function context(): Context {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  return new Context({ io, env: {}, cwd: '/nonexistent', signal: new AbortController().signal });
}

/** Parses `args` with the command, its action replaced by a recorder: what the action would have been given. */
async function parsed<T extends unknown[]>(make: (ctx: Context, run: (ctx: Context, ...rest: T) => Promise<void>) => Command, args: string[]): Promise<T> {
  const calls: T[] = [];
  const command = make(context(), async (_ctx, ...rest) => {
    calls.push(rest);
  }).exitOverride();
  await command.parseAsync(args, { from: 'user' });
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

describe('each command turns its flags into a typed options object, without running its action', () => {
  it('deploy', async () => {
    const none = { updateContent: false, sync: false, dotfiles: undefined };
    expect(await parsed(makeDeployCommand, [])).toEqual([{ count: undefined, from: undefined, yes: false, skipCostCheck: false, dryRun: false, format: 'text', ...none }]);
    expect(await parsed(makeDeployCommand, ['--count', '3', '-y', '--dry-run', '--format', 'json', '--from', 'x.json', '--skip-cost-check'])).toEqual([
      { count: 3, from: 'x.json', yes: true, skipCostCheck: true, dryRun: true, format: 'json', ...none },
    ]);
    expect(await parsed(makeDeployCommand, ['--update-content', '--sync', '--dotfiles', 'https://github.com/me/dots'])).toEqual([
      { count: undefined, from: undefined, yes: false, skipCostCheck: false, dryRun: false, format: 'text', updateContent: true, sync: true, dotfiles: 'https://github.com/me/dots' },
    ]);
    await expect(parsed(makeDeployCommand, ['--count', '0'])).rejects.toThrow('--count: expected a whole number from 1 to 100, got "0"');
    await expect(parsed(makeDeployCommand, ['--format', 'xml'])).rejects.toThrow(/Allowed choices are text, json/);
  });

  it('remove, status, stop, start, list, init, config, sync', async () => {
    expect(await parsed(makeRemoveCommand, ['ws-1', '-f'])).toEqual([{ name: 'ws-1', all: undefined, force: true }]);
    expect(await parsed(makeRemoveCommand, ['--all'])).toEqual([{ name: undefined, all: true, force: false }]);
    expect(await parsed(makeStatusCommand, ['--format', 'json'])).toEqual([{ name: undefined, all: undefined, format: 'json' }]);
    expect(await parsed((ctx, run) => makePowerCommand(ctx, 'stop', run), ['ws-2'])).toEqual(['stop', { name: 'ws-2', all: undefined }]);
    expect(await parsed((ctx, run) => makePowerCommand(ctx, 'start', run), ['--all'])).toEqual(['start', { name: undefined, all: true }]);
    expect(await parsed((ctx, run) => makePowerCommand(ctx, 'stop', run), ['--vm', '--all', '-y'])).toEqual(['stop', { name: undefined, all: true, vm: true, yes: true }]);
    expect(await parsed(makeListCommand, ['--rebuild'])).toEqual([{ format: 'table', rebuild: true }]);
    expect(await parsed(makeInitCommand, ['--force'])).toEqual([{ force: true }]);
    expect(await parsed(makeConfigCommand, ['--format', 'json'])).toEqual([{ format: 'json' }]);
    expect(await parsed(makeSyncCommand, ['ws-1'])).toEqual([{ name: 'ws-1', all: false }]);
    expect(await parsed(makeSyncCommand, ['--all'])).toEqual([{ name: undefined, all: true }]);
  });
});
