import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';
import type { Selection } from '../session.js';

export interface StatusOptions extends Selection {
  format: 'table' | 'json';
}

export type StatusRun = (ctx: Context, options: StatusOptions) => Promise<void>;

const statusRun: StatusRun = async (ctx, options) => (await import('./status-action.js')).statusAction(ctx, options);

/** `kamal-dev status`: live VM state from the provider and container state from `docker inspect`. */
export function makeStatusCommand(ctx: Context, run: StatusRun = statusRun): Command {
  return new Command('status')
    .description('live status: VM state from the provider, container state, image, uptime and ports over SSH')
    .argument('[name]', 'one workspace (default: all)')
    .option('--all', 'every workspace (the default)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText('after', examples(['kamal-dev status', 'kamal-dev status myapp-dev-1 --format json']))
    .action((name: string | undefined, options: { all?: boolean; format: 'table' | 'json' }) => run(ctx, { name, all: options.all, format: options.format }));
}
