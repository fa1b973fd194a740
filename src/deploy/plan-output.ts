import type { CostEstimate } from '../providers/provider.js';
import { quoteArgv } from '../remote/quote.js';
import { imageSourceJson, imageSourceLines } from './image-output.js';
import type { DeployPlan, PlannedWorkspace } from './plan.js';
import { registryAction, registryLine } from './registry-output.js';
import { bindWorkspace, HOOK_NAMES, type ServicePlan, type WorkspaceLifecycle, type WorkspacePlan } from './workspace.js';

/** A planned workspace with the plan it would run, bound to an assumed home (a dry run connects to nothing). */
export interface Preview {
  planned: PlannedWorkspace;
  workspace: WorkspacePlan;
}

export function previewDeploy(service: ServicePlan, plan: DeployPlan, home: string): Preview[] {
  return plan.workspaces.map((planned) => ({ planned, workspace: bindWorkspace(service, { name: planned.name, index: planned.index, home }) }));
}

/** One workspace in the JSON of `deploy --dry-run` and `deploy` (docs/commands.md#deploy). Key names only, never a secret. */
export function workspaceJson(name: string, vm: PlannedWorkspace['vm'], workspace: WorkspacePlan | undefined) {
  return {
    name,
    vm: { action: vm.action, zone: vm.zone, plan: vm.plan },
    docker_run: workspace?.dockerRun ?? null,
    env_file_keys: workspace?.envFileKeys ?? null,
  };
}

/** Each hook that has commands, by its devcontainer.json name: the `docker exec` argvs, group by group. */
function lifecycleJson(lifecycle: WorkspaceLifecycle): Record<string, string[][][]> {
  return Object.fromEntries(
    (Object.keys(HOOK_NAMES) as (keyof WorkspaceLifecycle)[])
      .filter((hook) => lifecycle[hook].length > 0)
      .map((hook) => [HOOK_NAMES[hook], lifecycle[hook].map((group) => group.map((command) => [...command.argv]))]),
  );
}

const WHEN: Record<keyof WorkspaceLifecycle, string> = {
  onCreate: 'once, when the container is created',
  updateContent: 'once, when the container is created',
  postCreate: 'once, when the container is created',
  postStart: 'after every start',
  postAttach: 'on every attach: ssh and the ssh-config hosts',
};

/** `deploy --dry-run --format json`. */
export function planJson(plan: DeployPlan, previews: readonly Preview[], cost: CostEstimate | null, service: ServicePlan): unknown {
  return {
    service: plan.service,
    workspaces: previews.map(({ planned, workspace }, i) => {
      const registry = registryAction(workspace.image, service.config.config.registry, i === 0);
      return {
        ...workspaceJson(planned.name, planned.vm, workspace),
        image: imageSourceJson(workspace.image, service.devcontainer.json),
        ...(registry ? { registry } : {}),
        lifecycle: lifecycleJson(workspace.lifecycle),
      };
    }),
    cost: cost === null ? null : { currency: cost.currency, hourly: cost.hourly, monthly: cost.monthly, new_vms: cost.newVms },
  };
}

function costLine(plan: DeployPlan, cost: CostEstimate | null): string {
  if (cost?.ownHosts) return 'Cost: none, your own hosts';
  if (cost) {
    return `Cost: ${cost.newVms} new VM(s), ${cost.hourly.toFixed(4)} ${cost.currency}/hour, ${cost.monthly.toFixed(2)} ${cost.currency}/month`;
  }
  return plan.newVms ? `Cost: not estimated (${plan.newVms} new VM(s))` : 'Cost: no new VMs';
}

/** The dry-run plan for people: per workspace its VM and its `docker run`, quoted so it can be pasted into a shell. */
export function planText(plan: DeployPlan, previews: readonly Preview[], cost: CostEstimate | null, service: ServicePlan): string {
  // Own hosts (cost.ownHosts) are chosen at deploy time; nothing about them is new.
  const own = cost?.ownHosts === true;
  const lines = [`Plan for ${plan.service}: ${plan.workspaces.length} workspace(s), ${own ? 'on your own hosts' : `${plan.newVms} new VM(s)`}`, ''];
  for (const [i, { planned, workspace }] of previews.entries()) {
    const { vm } = planned;
    lines.push(`${planned.name}  (${own ? 'a host of provider.hosts' : `${vm.action === 'create' ? 'new VM' : 'existing VM'}: ${vm.plan} in ${vm.zone}`})`);
    lines.push(`  env file ${workspace.envFilePath}: ${workspace.envFileKeys.join(', ') || '(no secrets)'}`);
    lines.push(...imageSourceLines(workspace.image, service.devcontainer.json));
    lines.push(...registryLine(workspace.image, service.config.config.registry, i === 0));
    lines.push(`  ${quoteArgv(workspace.dockerRun)}`);
    for (const hook of Object.keys(HOOK_NAMES) as (keyof WorkspaceLifecycle)[]) {
      for (const command of workspace.lifecycle[hook].flat()) lines.push(`  ${HOOK_NAMES[hook]} (${WHEN[hook]}): ${quoteArgv(command.argv)}`);
    }
    lines.push('');
  }
  lines.push(costLine(plan, cost));
  return `${lines.join('\n')}\n`;
}
