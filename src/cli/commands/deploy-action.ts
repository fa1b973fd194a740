import { readFile } from 'node:fs/promises';
import { sshKeyProblem } from '../../config/load.js';
import type { LoadedSecrets } from '../../config/secrets.js';
import { loadPlanInputs } from '../../deploy/plan-inputs.js';
import { planJson, planText } from '../../deploy/plan-output.js';
import { planDeploy, type DeployPlan } from '../../deploy/plan.js';
import { defaultHome } from '../../deploy/workspace-paths.js';
import { AppError, ConfigError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { CredentialsMissingError } from '../../providers/credentials.js';
import type { CostEstimate } from '../../providers/provider.js';
import { readState } from '../../state/read.js';
import type { Context } from '../context.js';
import { createProvider, namingConfigFile } from '../provider-factory.js';
import { applyDeploy } from './deploy-apply.js';
import type { DeployOptions } from './deploy.js';

/**
 * The price of a dry run's new VMs when credentials are present (SPEC section 5); null without credentials
 * or when the price list cannot be read, which the outputs show as "not estimated".
 */
async function estimatePlanCost(ctx: Context, plan: DeployPlan, secrets: LoadedSecrets): Promise<CostEstimate | null> {
  if (plan.newVms === 0) return null;
  const config = ctx.config();
  const { zone, plan: size, disk_size: disk } = config.config.provider;
  try {
    const provider = await createProvider(ctx, config, secrets);
    return await namingConfigFile(config.file, provider.estimateCost({ plan: size, zone, count: plan.newVms, diskSizeGb: disk }, ctx.signal));
  } catch (error) {
    if (error instanceof CredentialsMissingError) return null;
    if (error instanceof AppError && error.exitCode !== ExitCode.failed) throw error;
    ctx.log.warn(`cost not estimated: ${(error as Error).message}`);
    return null;
  }
}

/** `deploy`'s action: the plan, then the dry-run output or the real deploy. */
export async function deployAction(ctx: Context, options: DeployOptions): Promise<void> {
  const config = await ctx.loadConfig();
  const keyProblem = sshKeyProblem(config, ctx.env.SSH_AUTH_SOCK);
  if (keyProblem !== undefined && !options.dryRun) throw new ConfigError(keyProblem);
  if (keyProblem !== undefined) ctx.log.warn(keyProblem);
  const inputs = await loadPlanInputs({ config, from: options.from, env: ctx.env, cwd: ctx.cwd, signal: ctx.signal, checkKey: false });
  const state = await readState(config.statePath);
  const home = defaultHome(config.config.ssh.user);
  const plan = planDeploy({
    config,
    devcontainer: inputs.devcontainer,
    secrets: inputs.secrets,
    state,
    count: options.count ?? config.config.vms.count,
    home,
  });
  for (const warning of [...inputs.warnings, ...plan.warnings]) ctx.log.warn(warning);
  if (!options.dryRun) {
    const publicKey = (await readFile(config.publicKeyPath, 'utf8')).trim();
    await applyDeploy(ctx, inputs, plan, publicKey, { yes: Boolean(options.yes), skipCostCheck: Boolean(options.skipCostCheck), format: options.format });
    return;
  }
  if (inputs.devcontainer.json.initializeCommand !== undefined) ctx.log.info('initializeCommand is not run by a dry run');
  const cost = await estimatePlanCost(ctx, plan, inputs.allSecrets);
  if (options.format === 'json') ctx.out(JSON.stringify(planJson(plan, cost), null, 2));
  else {
    ctx.log.info(`Remote paths assume the home of ${config.config.ssh.user} on the VMs is ${home}.`);
    ctx.io.stdout.write(planText(plan, cost));
  }
}
