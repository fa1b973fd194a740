import { setPower } from '../../deploy/power.js';
import { buildServicePlan } from '../../deploy/workspace.js';
import { loadPlanInputs } from '../../project/inputs.js';
import type { Context } from '../context.js';
import { failIfAny, selectWorkspaces, withSession, type Selection } from '../session.js';
import type { PowerAction } from './power.js';

/** `stop` / `start`'s action. `start` reads the devcontainer too: it runs postStartCommand. */
export async function powerAction(ctx: Context, action: PowerAction, selection: Selection): Promise<void> {
  const names = await selectWorkspaces(ctx, action, selection);
  const config = await ctx.loadConfig();
  const inputs = await loadPlanInputs({ config, env: ctx.env, cwd: ctx.cwd, signal: ctx.signal });
  const service = buildServicePlan({ config, devcontainer: inputs.devcontainer, secrets: inputs.secrets });
  await withSession(
    ctx,
    async ({ deps }) => {
      const results = await setPower(action, names, service, deps);
      ctx.endProgress();
      const failed = results.filter((r) => !r.ok);
      for (const r of failed) ctx.log.error(`${r.name}: ${r.error ?? 'failed'}`);
      failIfAny(failed.map((r) => r.name), results.length, `not ${action === 'stop' ? 'stopped' : 'started'}`);
      ctx.log.success(`${action === 'stop' ? 'Stopped' : 'Started'} ${results.length} workspace(s)`);
    },
    { secrets: inputs.allSecrets, workspaces: names },
  );
}
