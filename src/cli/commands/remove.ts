import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';
import type { Selection } from '../session.js';

export interface RemoveOptions extends Selection {
  force: boolean;
  /** --older-than DURATION, as typed (checked by the action: exit 2 naming the flag). */
  olderThan?: string;
  stopped?: boolean;
}

export type RemoveRun = (ctx: Context, options: RemoveOptions) => Promise<void>;

const removeRun: RemoveRun = async (ctx, options) => (await import('./remove-action.js')).removeAction(ctx, options);

/** `kamal-dev remove`: containers, then each VM once its last workspace goes, then the entries. */
export function makeRemoveCommand(ctx: Context, run: RemoveRun = removeRun): Command {
  return new Command('remove')
    .description('remove workspaces and destroy their VMs (asks first unless --force)')
    .argument('[name]', 'the workspace to remove')
    .option('--all', 'every workspace in the state')
    .option('--older-than <duration>', 'the workspaces deployed longer ago than this (30m, 2h, 7d)')
    .option('--stopped', 'the workspaces whose container or VM is stopped')
    .option('-f, --force', 'do not ask for confirmation')
    .addHelpText(
      'after',
      examples([
        'kamal-dev remove myapp-dev-2',
        'kamal-dev remove --all --force    # CI teardown: no prompt, exit 0 when nothing is left',
        'kamal-dev remove --older-than 7d --stopped --force',
      ]),
    )
    .action((name: string | undefined, options: { all?: boolean; force?: boolean; olderThan?: string; stopped?: boolean }) =>
      run(ctx, {
        name,
        all: options.all,
        force: Boolean(options.force),
        ...(options.olderThan !== undefined ? { olderThan: options.olderThan } : {}),
        ...(options.stopped ? { stopped: true } : {}),
      }),
    );
}
