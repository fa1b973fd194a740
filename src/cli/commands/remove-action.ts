import { removeWorkspaces } from '../../deploy/remove.js';
import { staleWorkspaces } from '../../deploy/stale.js';
import { DURATION_FORMAT, parseDuration } from '../../lib/duration.js';
import { CancelledError, UsageError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { shown } from '../../lib/shown.js';
import type { State } from '../../state/schema.js';
import { confirm } from '../../ui/prompt.js';
import type { Context } from '../context.js';
import { failIfAny, hookRun, selectWorkspaces, withSession } from '../session.js';
import type { RemoveOptions } from './remove.js';

/** --older-than and --stopped: the stale workspaces of the state, or undefined when neither is given. */
function staleSelection(ctx: Context, options: RemoveOptions, deployments: State['deployments']): string[] | undefined {
  if (options.olderThan === undefined && !options.stopped) return undefined;
  if (options.name || options.all) throw new UsageError('remove: --older-than and --stopped choose the workspaces; give no NAME or --all with them');
  const olderThanSeconds = options.olderThan === undefined ? undefined : parseDuration(options.olderThan);
  if (options.olderThan !== undefined && olderThanSeconds === undefined) {
    throw new UsageError(`remove: --older-than: expected ${DURATION_FORMAT}, got ${shown(options.olderThan)}`);
  }
  return staleWorkspaces(deployments, { ...(olderThanSeconds !== undefined ? { olderThanSeconds } : {}), stopped: Boolean(options.stopped) }, ctx.now());
}

/** `remove`'s action: confirmation, then containers, VMs and entries. */
export async function removeAction(ctx: Context, options: RemoveOptions): Promise<void> {
  const state = await ctx.readState(ctx.stateFile());
  const stale = staleSelection(ctx, options, state.deployments);
  if (Object.keys(state.deployments).length === 0 && (options.all || !options.name)) {
    ctx.io.stderr.write('No deployments found\n');
    return;
  }
  if (stale?.length === 0) {
    ctx.io.stderr.write('No workspaces match; nothing to remove\n');
    return;
  }
  const names = stale ?? (await selectWorkspaces(ctx, 'remove', options));
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
