import { loadPlanInputs } from '../../deploy/plan-inputs.js';
import { setPower } from '../../deploy/power.js';
import { buildWorkspacePlan } from '../../deploy/workspace.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { statePath } from '../../state/paths.js';
import { readState } from '../../state/read.js';
import type { Context } from '../context.js';
import { openSession } from '../session.js';
import { selectWorkspaces } from './select.js';

/** `stop` / `start`'s action. */
export async function run(ctx: Context, action: 'stop' | 'start', name: string | undefined, all: boolean | undefined): Promise<void> {
  const state = await readState(statePath(ctx.cwd));
  const names = selectWorkspaces(state, name, all, action);
  const config = await ctx.loadConfig();
  // `start` runs postStartCommand, so it needs the devcontainer; `stop` needs nothing of it.
  const inputs = action === 'start' ? await loadPlanInputs({ config, env: ctx.env, cwd: ctx.cwd, signal: ctx.signal }) : undefined;
  const session = await openSession(ctx, inputs?.allSecrets);
  try {
    const postStart = (workspace: string) =>
      inputs
        ? buildWorkspacePlan({
            config,
            devcontainer: inputs.devcontainer,
            secrets: inputs.secrets,
            name: workspace,
            index: 0,
            placement: { spread: config.config.vms.spread },
            home: '/',
          }).lifecycle.postStart
        : [];
    const results = await setPower(action, names, postStart, session.deps);
    session.deps.progress.done();
    const failed = results.filter((r) => !r.ok);
    for (const r of failed) ctx.log.error(`${r.name}: ${r.error ?? 'failed'}`);
    if (failed.length > 0) ctx.exitCode = ExitCode.failed;
    else ctx.log.success(`${action === 'stop' ? 'Stopped' : 'Started'} ${results.length} workspace(s)`);
  } finally {
    await session.close();
  }
}

