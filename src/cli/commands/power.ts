import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';
import type { Selection } from '../session.js';

export type PowerAction = 'stop' | 'start';
export type PowerRun = (ctx: Context, action: PowerAction, selection: Selection) => Promise<void>;

const powerRun: PowerRun = async (ctx, action, selection) => (await import('./power-action.js')).powerAction(ctx, action, selection);

const DESCRIPTIONS = {
  stop: 'stop workspace containers; their VMs stay up (and keep costing)',
  start: 'start stopped workspace containers, then their postStartCommand',
} as const;

/** `kamal-dev stop` and `kamal-dev start`: `docker stop` / `docker start` (then postStartCommand) over SSH. */
export function makePowerCommand(ctx: Context, action: PowerAction, run: PowerRun = powerRun): Command {
  return new Command(action)
    .description(DESCRIPTIONS[action])
    .argument('[name]', `the workspace to ${action}`)
    .option('--all', 'every workspace in the state')
    .addHelpText('after', examples([`kamal-dev ${action} myapp-dev-1`, `kamal-dev ${action} --all`]))
    .action((name: string | undefined, options: { all?: boolean }) => run(ctx, action, { name, all: options.all }));
}
