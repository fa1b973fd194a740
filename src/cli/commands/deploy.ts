import { Command, Option } from 'commander';
import { loadPlanInputs } from '../../deploy/plan-inputs.js';
import { planJson, planText } from '../../deploy/plan-output.js';
import { planDeploy, type DeployPlan } from '../../deploy/plan.js';
import { defaultHome } from '../../deploy/workspace-paths.js';
import { UsageError } from '../../lib/errors.js';
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
 * The seam where the provider's price list plugs in (SPEC section 5, step 2). Until the provider exists this
 * answers null, which the outputs show as "not estimated"; it must never fail a dry run.
 */
export async function estimatePlanCost(_ctx: Context, _plan: DeployPlan): Promise<CostEstimate | null> {
  return null;
}

/** `kamal-dev deploy`: for now only `--dry-run`, the validated plan without creating, connecting or writing. */
export function deployCommand(ctx: Context): Command {
  return new Command('deploy')
    .description('create workspaces (for now only --dry-run: print the plan and each docker run)')
    .addOption(new Option('--count <n>', 'number of workspaces the service must have (1-100; default vms.count)').argParser(parseCount))
    .option('--from <path>', 'devcontainer.json to use instead of the image: of dev.yml')
    .option('--dry-run', 'validate everything and print the plan; create, connect and write nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-y, --yes', 'do not ask before creating VMs that cost money')
    .option('--skip-cost-check', 'do not fetch prices before creating VMs')
    .addHelpText('after', examples(['kamal-dev deploy --dry-run', 'kamal-dev deploy --dry-run --count 3 --format json', 'kamal-dev deploy --dry-run --from .devcontainer/gpu/devcontainer.json']))
    .action(async (options: DeployOptions) => {
      if (!options.dryRun) {
        throw new UsageError('deploy needs --dry-run for now: creating workspaces is not built yet', {
          hint: 'Run `kamal-dev deploy --dry-run` to see the plan.',
        });
      }
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
      const cost = await estimatePlanCost(ctx, plan);
      if (options.format === 'json') ctx.out(JSON.stringify(planJson(plan, cost), null, 2));
      else {
        ctx.log.info(`Remote paths assume the home of ${config.config.ssh.user} on the VMs is ${home}.`);
        ctx.io.stdout.write(planText(plan, cost));
      }
    });
}
