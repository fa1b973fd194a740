import { Command } from 'commander';
import { UsageError } from '../../lib/errors.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

export interface LogsOptions {
  name: string;
  follow: boolean;
  tail: number | undefined;
  since: string | undefined;
  lifecycle: boolean;
}

export type LogsRun = (ctx: Context, options: LogsOptions) => Promise<void>;

const logsRun: LogsRun = async (ctx, options) => (await import('./logs-action.js')).logsAction(ctx, options);

function lines(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`logs: -n must be a whole number of lines, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** `kamal-dev logs NAME [-f] [-n N] [--since T] [--lifecycle]`: `docker logs`, or the lifecycle commands' log on the VM. */
export function makeLogsCommand(ctx: Context, run: LogsRun = logsRun): Command {
  return new Command('logs')
    .description("a workspace container's log (docker logs), or with --lifecycle the output of its lifecycle commands")
    .argument('<name>', 'the workspace')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --tail <n>', 'only the last N lines', lines)
    .option('--since <time>', 'only lines since a duration (10m) or a timestamp, as docker logs reads it')
    .option('--lifecycle', 'the output of onCreate, updateContent, postCreate, postStart and postAttach commands')
    .addHelpText('after', examples(['kamal-dev logs myapp-dev-1 -n 50', 'kamal-dev logs myapp-dev-1 -f', 'kamal-dev logs myapp-dev-1 --lifecycle']))
    .action((name: string, o: { follow?: boolean; tail?: number; since?: string; lifecycle?: boolean }) => {
      if (o.lifecycle && o.since !== undefined) throw new UsageError('logs: --since works with the container log, not --lifecycle');
      return run(ctx, { name, follow: Boolean(o.follow), tail: o.tail, since: o.since, lifecycle: Boolean(o.lifecycle) });
    });
}
