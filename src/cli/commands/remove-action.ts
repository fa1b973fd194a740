import { removeWorkspaces } from '../../deploy/remove.js';
import { CancelledError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { confirm } from '../../ui/prompt.js';
import type { Context } from '../context.js';
import { failIfAny, hookRun, selectWorkspaces, withSession } from '../session.js';
import type { RemoveOptions } from './remove.js';

/** `remove`'s action: confirmation, then containers, VMs and entries. */
export async function removeAction(ctx: Context, options: RemoveOptions): Promise<void> {
  const state = await ctx.readState(ctx.stateFile());
  if (Object.keys(state.deployments).length === 0 && (options.all || !options.name)) {
    ctx.io.stderr.write('No deployments found\n');
    return;
  }
  const names = await selectWorkspaces(ctx, 'remove', options);
  if (!options.force) {
    const vms = new Set(names.map((n) => state.deployments[n]?.vm_id).filter(Boolean)).size;
    const question = `Remove ${names.length} workspace(s) (${names.join(', ')}) and destroy up to ${vms} VM(s)?`;
    if (!(await confirm(ctx.io, question, '--force', ctx.signal))) throw new CancelledError('remove cancelled; nothing was removed', ExitCode.failed);
  }
  await withSession(ctx, async ({ scope, deps, hooks }) => {
    const run = hookRun(await deps.state.read(), names);
    await hooks.run('pre-remove', run);
    const results = await removeWorkspaces(scope, names, deps);
    ctx.endProgress();
    const failed = results.filter((r) => !r.removed);
    for (const r of failed) ctx.log.error(`${r.name}: not removed: ${r.error ?? 'unknown error'}`);
    failIfAny(failed.map((r) => r.name), results.length, 'not removed');
    ctx.log.success(`Removed ${results.length} workspace(s)`);
    await hooks.run('post-remove', run);
  }, { workspaces: names });
}
