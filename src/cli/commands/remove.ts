import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

/** `kamal-dev remove`: containers, then each VM once its last workspace goes, then the entries. */
export function removeCommand(ctx: Context): Command {
  return new Command('remove')
    .description('remove workspaces and destroy their VMs (asks first unless --force)')
    .argument('[name]', 'the workspace to remove')
    .option('--all', 'every workspace in the state')
    .option('-f, --force', 'do not ask for confirmation')
    .addHelpText('after', examples(['kamal-dev remove myapp-dev-2', 'kamal-dev remove --all --force    # CI teardown: no prompt, exit 0 when nothing is left']))
    .action(async (name: string | undefined, options: { all?: boolean; force?: boolean }) =>
      (await import('./remove-action.js')).removeAction(ctx, name, options),
    );
}
