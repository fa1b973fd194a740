import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';
import type { Selection } from '../session.js';

export type PowerAction = 'stop' | 'start';

export interface PowerCommandOptions extends Selection {
  /** stop --vm: power the VMs off after their containers. */
  vm?: boolean;
  /** stop --vm --yes: stop a shared VM's other workspaces without asking. */
  yes?: boolean;
}

export type PowerRun = (ctx: Context, action: PowerAction, options: PowerCommandOptions) => Promise<void>;

const powerRun: PowerRun = async (ctx, action, options) => (await import('./power-action.js')).powerAction(ctx, action, options);

const DESCRIPTIONS = {
  stop: 'stop workspace containers; with --vm also power their VMs off',
  start: 'power stopped VMs on, start the workspace containers, then their postStartCommand',
} as const;

/** `kamal-dev stop` and `kamal-dev start`: `docker stop` / `docker start` over SSH, the VMs through the provider. */
export function makePowerCommand(ctx: Context, action: PowerAction, run: PowerRun = powerRun): Command {
  const command = new Command(action)
    .description(DESCRIPTIONS[action])
    .argument('[name]', `the workspace to ${action}`)
    .option('--all', 'every workspace in the state');
  if (action === 'stop') {
    command
      .option('--vm', 'also power the VMs off through the provider (every workspace on a shared VM stops)')
      .option('-y, --yes', 'stop the other workspaces of a shared VM without asking');
  }
  const shown = action === 'stop' ? ['kamal-dev stop myapp-dev-1', 'kamal-dev stop --vm --all    # the VMs too'] : [`kamal-dev start myapp-dev-1`, `kamal-dev start --all`];
  return command
    .addHelpText('after', examples(shown))
    .action((name: string | undefined, options: { all?: boolean; vm?: boolean; yes?: boolean }) =>
      run(ctx, action, { name, all: options.all, ...(options.vm ? { vm: true } : {}), ...(options.yes ? { yes: true } : {}) }),
    );
}
