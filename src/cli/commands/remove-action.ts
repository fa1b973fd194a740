import { removeWorkspaces } from '../../deploy/remove.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { statePath } from '../../state/paths.js';
import { readState } from '../../state/read.js';
import { confirm } from '../../ui/prompt.js';
import type { Context } from '../context.js';
import { openSession } from '../session.js';
import { selectWorkspaces } from './select.js';

/** `remove`'s action: confirmation, then containers, VMs and entries. */
export async function removeAction(ctx: Context, name: string | undefined, options: { all?: boolean; force?: boolean }): Promise<void> {
  const state = await readState(statePath(ctx.cwd));
  if (Object.keys(state.deployments).length === 0 && (options.all || !name)) {
    ctx.io.stderr.write('No deployments found\n');
    return;
  }
  const names = selectWorkspaces(state, name, options.all, 'remove');
  if (!options.force) {
    const vms = new Set(names.map((n) => state.deployments[n]?.vm_id).filter(Boolean)).size;
    const question = `Remove ${names.length} workspace(s) (${names.join(', ')}) and destroy up to ${vms} VM(s)?`;
    if (!(await confirm(ctx.io, question, '--force', ctx.signal))) {
      ctx.log.info('Nothing removed.');
      ctx.exitCode = ExitCode.failed;
      return;
    }
  }
  const session = await openSession(ctx);
  try {
    const results = await removeWorkspaces(session.config.config.service, names, session.deps);
    session.deps.progress.done();
    const failed = results.filter((r) => !r.removed);
    for (const r of failed) ctx.log.error(`${r.name}: not removed: ${r.error ?? 'unknown error'}`);
    if (failed.length > 0) ctx.exitCode = ExitCode.failed;
    else ctx.log.success(`Removed ${results.length} workspace(s)`);
  } finally {
    await session.close();
  }
}
