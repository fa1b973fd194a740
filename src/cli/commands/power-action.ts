import { setPower } from '../../deploy/power.js';
import { onSameVms } from '../../deploy/vm-power.js';
import { buildServicePlan } from '../../deploy/workspace.js';
import { CancelledError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { loadPlanInputs } from '../../project/inputs.js';
import { confirm } from '../../ui/prompt.js';
import type { Context } from '../context.js';
import { failIfAny, selectWorkspaces, withSession } from '../session.js';
import type { PowerAction, PowerCommandOptions } from './power.js';

/** stop --vm on a shared VM stops every workspace on it: said first, and asked unless --yes. */
async function widenToSharedVms(ctx: Context, names: string[], yes: boolean): Promise<string[]> {
  const { deployments } = await ctx.readState(ctx.stateFile());
  const all = onSameVms(deployments, names);
  const others = all.slice(names.length);
  if (others.length === 0) return names;
  ctx.log.warn(`the VM of ${names.join(', ')} is shared: stop --vm stops every workspace on it, also ${others.join(', ')}`);
  if (!yes && !(await confirm(ctx.io, `Stop ${all.length} workspace(s) (${all.join(', ')}) and power their VM(s) off?`, '--yes', ctx.signal))) {
    throw new CancelledError('stop cancelled; nothing was stopped', ExitCode.failed);
  }
  return all;
}

/** `stop` / `start`'s action. `start` reads the devcontainer too: it runs postStartCommand. */
export async function powerAction(ctx: Context, action: PowerAction, options: PowerCommandOptions): Promise<void> {
  let names = await selectWorkspaces(ctx, action, options);
  const config = await ctx.loadConfig();
  const inputs = await loadPlanInputs({ config, env: ctx.env, cwd: ctx.cwd, signal: ctx.signal });
  const service = buildServicePlan({ config, devcontainer: inputs.devcontainer, secrets: inputs.secrets });
  const vm = action === 'stop' && Boolean(options.vm);
  if (vm) names = await widenToSharedVms(ctx, names, Boolean(options.yes));
  await withSession(
    ctx,
    async ({ deps }) => {
      const { billed, rule } = deps.provider.stoppedBilling;
      if (vm && billed === 'full') ctx.log.warn(`${rule}: stopping the VMs saves nothing; \`kamal-dev remove\` ends the cost`);
      const results = await setPower(action, names, service, deps, { vm });
      ctx.endProgress();
      const failed = results.filter((r) => !r.ok);
      for (const r of failed) ctx.log.error(`${r.name}: ${r.error ?? 'failed'}`);
      failIfAny(failed.map((r) => r.name), results.length, `not ${action === 'stop' ? 'stopped' : 'started'}`);
      ctx.log.success(`${action === 'stop' ? 'Stopped' : 'Started'} ${results.length} workspace(s)${vm ? ' and powered their VMs off' : ''}`);
    },
    { secrets: inputs.allSecrets, workspaces: names },
  );
}
