import { Command, Option } from 'commander';
import { loadPlanInputs } from '../../deploy/plan-inputs.js';
import { planJson, planText } from '../../deploy/plan-output.js';
import { planDeploy, type DeployPlan } from '../../deploy/plan.js';
import { defaultHome } from '../../deploy/workspace-paths.js';
import { readFile } from 'node:fs/promises';
import type { LoadedSecrets } from '../../config/secrets.js';
import { AppError, ConfigError, UsageError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { createProvider } from '../provider-factory.js';
import { applyDeploy } from './deploy-apply.js';
import type { CostEstimate } from '../../providers/provider.js';
import { readState } from '../../state/read.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

interface DeployOptions {
  count?: number;
  from?: string;
  yes?: boolean;
  skipCostCheck?: boolean;
  dryRun?: boolean;
  format: 'text' | 'json';
}

/** `--count`: a whole number from 1 to 100 (anything else is a usage error, exit 2). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100) {
    throw new UsageError(`--count: expected a whole number from 1 to 100, got "${value}"`);
  }
  return Number(value);
}

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
    return await provider.estimateCost({ plan: size, zone, count: plan.newVms, diskSizeGb: disk }, ctx.signal);
  } catch (error) {
    if (error instanceof ConfigError && /credentials/.test(error.message)) return null;
    if (error instanceof AppError && error.exitCode !== ExitCode.failed) throw error;
    ctx.log.warn(`cost not estimated: ${(error as Error).message}`);
    return null;
  }
}

/** `kamal-dev deploy`: converge the service to --count workspaces; `--dry-run` prints the plan only. */
export function deployCommand(ctx: Context): Command {
  return new Command('deploy')
    .description('create or update workspaces until the service has --count of them, one per VM (cost shown and confirmed first)')
    .addOption(new Option('--count <n>', 'number of workspaces the service must have (1-100; default vms.count)').argParser(parseCount))
    .option('--from <path>', 'devcontainer.json to use instead of the image: of dev.yml')
    .option('--dry-run', 'validate everything and print the plan; create, connect and write nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-y, --yes', 'do not ask before creating VMs that cost money')
    .option('--skip-cost-check', 'do not fetch prices before creating VMs')
    .addHelpText('after', examples(['kamal-dev deploy --count 3', 'kamal-dev deploy --count 3 --yes --format json    # CI: no prompt', 'kamal-dev deploy --dry-run --format json', 'kamal-dev deploy --from .devcontainer/gpu/devcontainer.json']))
    .action(async (options: DeployOptions) => {
      const config = ctx.config();
      const inputs = await loadPlanInputs({ config, from: options.from, env: ctx.env, cwd: ctx.cwd, signal: ctx.signal });
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
      if (inputs.devcontainer.json.initializeCommand !== undefined) ctx.log.info('initializeCommand is not run by a dry run');
      if (!options.dryRun) {
        const publicKey = (await readFile(config.publicKeyPath, 'utf8')).trim();
        await applyDeploy(ctx, inputs, plan, publicKey, { yes: Boolean(options.yes), skipCostCheck: Boolean(options.skipCostCheck), format: options.format });
        return;
      }
      const cost = await estimatePlanCost(ctx, plan, inputs.allSecrets);
      if (options.format === 'json') ctx.out(JSON.stringify(planJson(plan, cost), null, 2));
      else {
        ctx.log.info(`Remote paths assume the home of ${config.config.ssh.user} on the VMs is ${home}.`);
        ctx.io.stdout.write(planText(plan, cost));
      }
    });
}
