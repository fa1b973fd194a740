import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

export interface SyncOptions {
  name: string | undefined;
  all: boolean;
}

export type SyncRun = (ctx: Context, options: SyncOptions) => Promise<void>;

const syncRun: SyncRun = async (ctx, options) => (await import('./sync-action.js')).syncAction(ctx, options);

/** `kamal-dev sync NAME|--all`: the local working tree into the workspace folders (docs/commands.md#sync). */
export function makeSyncCommand(ctx: Context, run: SyncRun = syncRun): Command {
  return new Command('sync')
    .description('upload the local working tree into a workspace folder, or into every running one (--all); files deleted locally are deleted there')
    .argument('[name]', 'the workspace')
    .option('--all', 'every running workspace')
    .addHelpText('after', examples(['kamal-dev sync myapp-dev-1', 'kamal-dev sync --all']))
    .action((name: string | undefined, o: { all?: boolean }) => run(ctx, { name, all: Boolean(o.all) }));
}
