import type { LoadedSecrets } from '../../config/secrets.js';
import { namingConfigFile } from '../../deploy/deploy.js';
import { planDeploy } from '../../deploy/plan.js';
import { planJson, planText, previewDeploy } from '../../deploy/plan-output.js';
import type { ServicePlan } from '../../deploy/workspace.js';
import { defaultHome } from '../../deploy/workspace-paths.js';
import { AppError, CredentialsMissingError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import type { CostEstimate } from '../../providers/provider.js';
import { placementOf } from '../../providers/registry.js';
import type { Context } from '../context.js';
import { dryRunHostRequirements } from './dry-run-host-requirements.js';
import { localBindWarning } from '../../devcontainer/workspace-mounts.js';

/**
 * The price of a dry run's new VMs when credentials are present; null without credentials or when the price
 * list cannot be read, which the outputs show as "not estimated".
 */
async function estimate(ctx: Context, service: ServicePlan, newVms: number, secrets: LoadedSecrets): Promise<CostEstimate | null> {
  if (newVms === 0) return null;
  try {
    const provider = await ctx.provider(service.config, secrets);
    return await namingConfigFile(service.config, provider.estimateCost(newVms, ctx.signal));
  } catch (error) {
    if (error instanceof CredentialsMissingError) return null;
    if (error instanceof AppError && error.exitCode !== ExitCode.failed) throw error;
    ctx.log.warn(`cost not estimated: ${(error as Error).message}`);
    return null;
  }
}

/** `deploy --dry-run`: the plan and each workspace's `docker run`, with nothing created, connected or written. */
export async function printDryRun(ctx: Context, service: ServicePlan, count: number, secrets: LoadedSecrets, format: 'text' | 'json'): Promise<void> {
  const { config } = service;
  const plan = planDeploy({ config, state: await ctx.readState(config.statePath), count, placement: placementOf(config.config.provider) });
  for (const warning of plan.warnings) ctx.log.warn(warning);
  if (service.initialize.length > 0) ctx.log.info('initializeCommand is not run by a dry run');
  const git = service.content?.git;
  if (git) ctx.log.info(`A new workspace's folder is cloned from ${git.repository} at ${git.ref ?? "the remote's default branch"}${git.branch ? `, on a branch ${git.branch}` : ''}`);
  await dryRunHostRequirements(ctx, service, secrets);
  const home = defaultHome(config.config.ssh.user);
  const previews = previewDeploy(service, plan, home);
  // The same for every workspace: said once.
  for (const warning of new Set(previews.flatMap((p) => p.workspace.localBinds.map(localBindWarning)))) ctx.log.warn(warning);
  const cost = await estimate(ctx, service, plan.newVms, secrets);
  if (format === 'json') ctx.out(JSON.stringify(planJson(plan, previews, cost, service), null, 2));
  else {
    ctx.log.info(`Remote paths assume the home of ${config.config.ssh.user} on the VMs is ${home}.`);
    ctx.io.stdout.write(planText(plan, previews, cost, service));
  }
}
