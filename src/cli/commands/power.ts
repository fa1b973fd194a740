import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

const DESCRIPTIONS = {
  stop: 'stop workspace containers; their VMs stay up (and keep costing)',
  start: 'start stopped workspace containers, then their postStartCommand',
} as const;

function powerCommand(ctx: Context, action: 'stop' | 'start'): Command {
  return new Command(action)
    .description(DESCRIPTIONS[action])
    .argument('[name]', `the workspace to ${action}`)
    .option('--all', 'every workspace in the state')
    .addHelpText('after', examples([`kamal-dev ${action} myapp-dev-1`, `kamal-dev ${action} --all`]))
    .action(async (name: string | undefined, options: { all?: boolean }) =>
      (await import('./power-action.js')).run(ctx, action, name, options.all),
    );
}

/** `kamal-dev stop`: `docker stop` over SSH; the VMs stay up. */
export const stopCommand = (ctx: Context): Command => powerCommand(ctx, 'stop');

/** `kamal-dev start`: `docker start` over SSH, then postStartCommand. */
export const startCommand = (ctx: Context): Command => powerCommand(ctx, 'start');
