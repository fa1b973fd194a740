import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Context } from '../../src/cli/context.js';
import { buildProgram, COMMAND_NAMES } from '../../src/cli/program.js';

function context(): Context {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  return new Context({ io, env: {}, cwd: '/nonexistent', signal: new AbortController().signal });
}

const built = (argv?: string[]) => {
  const ctx = context();
  const program = buildProgram(ctx, '0.0.0', argv);
  return { names: program.commands.map((command) => command.name()), known: ctx.commandNames };
};

describe('the program built for a command line', () => {
  it('without a command line: every command, named as COMMAND_NAMES names them, in that order', () => {
    expect(built()).toEqual({ names: COMMAND_NAMES.filter((name) => name !== 'help'), known: COMMAND_NAMES });
  });

  it('a command line naming a command builds that command alone, past global options and their values', () => {
    expect(built(['node', 'kamal-dev', 'list', '--format', 'json'])).toEqual({ names: ['list'], known: COMMAND_NAMES });
    expect(built(['node', 'kamal-dev', '-c', 'status', '-v', 'stop', 'NAME']).names).toEqual(['stop']);
    expect(built(['node', 'kamal-dev', '--config=x.yml', 'ssh-config']).names).toEqual(['ssh-config']);
  });

  it('--help, help, an alias or a mistyped word, and no word at all build every command (help and suggestions list them)', () => {
    for (const argv of [['--help'], ['help', 'list'], ['my-alias'], ['lsit'], [], ['--version'], ['-c', 'list']]) {
      expect(built(['node', 'kamal-dev', ...argv]).names, argv.join(' ')).toHaveLength(COMMAND_NAMES.length - 1);
    }
  });
});
