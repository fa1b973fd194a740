import { Command, Option } from 'commander';
import { UsageError } from '../../lib/errors.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';
import { wordsAfterDoubleDash } from '../../lib/argv.js';

export interface ExecOptions {
  name: string | undefined;
  all: boolean;
  format: 'text' | 'json';
  /** Workspaces at once; undefined: all of them. */
  parallel: number | undefined;
  interactive: boolean;
  tty: boolean;
  /** Start a stopped workspace first (its VM powered on where stopped). */
  start: boolean;
  argv: string[];
}

export type ExecRun = (ctx: Context, options: ExecOptions) => Promise<void>;

const execRun: ExecRun = async (ctx, options) => (await import('./exec-action.js')).execAction(ctx, options);

function parallel(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new UsageError(`exec: --parallel must be a whole number of at least 1, not ${JSON.stringify(value)}`);
  return n;
}

/** `kamal-dev exec NAME|--all -- CMD [ARGS...]`: `docker exec` in the workspaces as remoteUser, in workspaceFolder. */
export function makeExecCommand(ctx: Context, run: ExecRun = execRun): Command {
  const command = new Command('exec')
    .description('run a command in one workspace, or in every running one at once (--all)')
    .usage('[options] NAME|--all -- CMD [ARGS...]')
    .argument('[words...]', 'the workspace NAME, then -- and the command')
    .option('--all', 'every running workspace, in parallel')
    .addOption(new Option('--format <format>', 'output: lines prefixed with the workspace, or one JSON array').choices(['text', 'json']).default('text'))
    .option('--parallel <n>', 'at most N workspaces at once (default: all)', parallel)
    .option('-i, --interactive', 'forward stdin (one workspace)')
    .option('-t, --tty', 'allocate a terminal (one workspace, from a terminal)')
    .option('--start', 'start stopped workspaces first (their VMs powered on where stopped)')
    .addHelpText(
      'after',
      examples([
        "kamal-dev exec myapp-dev-1 -- sh -c 'echo out; exit 7'",
        'kamal-dev exec --all -- agent --task "issue-{index}"     # {name}, {index}; {{ and }} for literal braces',
        'kamal-dev exec --all --format json -- git status --short',
        'kamal-dev exec -it myapp-dev-1 -- bash',
      ]),
    );
  return command.action((words: string[], options: { all?: boolean; format: 'text' | 'json'; parallel?: number; interactive?: boolean; tty?: boolean; start?: boolean }) => {
    const after = wordsAfterDoubleDash(ctx.argv) ?? [];
    const before = words.slice(0, words.length - after.length);
    if (before.length > 1) throw new UsageError(`exec: one workspace NAME before --, not ${before.length} (${before.join(' ')})`);
    return run(ctx, {
      name: before[0],
      all: Boolean(options.all),
      format: options.format,
      parallel: options.parallel,
      interactive: Boolean(options.interactive),
      tty: Boolean(options.tty),
      start: Boolean(options.start),
      argv: after,
    });
  });
}
