import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

/** `kamal-dev status`: live VM state from the provider and container state from `docker inspect`. */
export function statusCommand(ctx: Context): Command {
  return new Command('status')
    .description('live status: VM state from the provider, container state, image, uptime and ports over SSH')
    .argument('[name]', 'one workspace (default: all)')
    .option('--all', 'every workspace (the default)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText('after', examples(['kamal-dev status', 'kamal-dev status myapp-dev-1 --format json']))
    .action(async (name: string | undefined, options: { all?: boolean; format: 'table' | 'json' }) =>
      (await import('./status-action.js')).statusAction(ctx, name, options),
    );
}
