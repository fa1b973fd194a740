import type { CostEstimate } from '../providers/provider.js';
import { quoteArgv } from '../remote/quote.js';
import type { DeployPlan } from './plan.js';

/** SPEC section 5's `deploy --dry-run --format json` shape. No secret value can reach it: only key names. */
export function planJson(plan: DeployPlan, cost: CostEstimate | null): unknown {
  return {
    service: plan.service,
    workspaces: plan.workspaces.map(({ workspace, vm }) => ({
      name: workspace.name,
      vm: { action: vm.action, zone: vm.zone, plan: vm.plan },
      docker_run: workspace.dockerRun,
      env_file_keys: workspace.envFileKeys,
    })),
    cost: cost === null ? null : { currency: cost.currency, hourly: cost.hourly, monthly: cost.monthly, new_vms: cost.newVms },
  };
}

function costLine(plan: DeployPlan, cost: CostEstimate | null): string {
  if (cost) {
    return `Cost: ${cost.newVms} new VM(s), ${cost.hourly.toFixed(4)} ${cost.currency}/hour, ${cost.monthly.toFixed(2)} ${cost.currency}/month`;
  }
  return plan.newVms ? `Cost: not estimated (${plan.newVms} new VM(s))` : 'Cost: no new VMs';
}

/** The dry-run plan for people: per workspace its VM and its `docker run`, quoted so it can be pasted into a shell. */
export function planText(plan: DeployPlan, cost: CostEstimate | null): string {
  const lines = [`Plan for ${plan.service}: ${plan.workspaces.length} workspace(s), ${plan.newVms} new VM(s)`, ''];
  for (const { workspace, vm } of plan.workspaces) {
    lines.push(`${workspace.name}  (${vm.action === 'create' ? 'new VM' : 'existing VM'}: ${vm.plan} in ${vm.zone})`);
    lines.push(`  env file ${workspace.envFilePath}: ${workspace.envFileKeys.join(', ') || '(no secrets)'}`);
    lines.push(`  ${quoteArgv(workspace.dockerRun)}`);
    lines.push('');
  }
  lines.push(costLine(plan, cost));
  return `${lines.join('\n')}\n`;
}
