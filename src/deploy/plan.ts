import type { LoadedConfig } from '../config/load.js';
import { indexOfName, workspaceName } from '../config/naming.js';
import type { Placement } from '../providers/provider.js';
import type { Entry, State } from '../state/schema.js';

export type VmAction = 'create' | 'reuse';

export interface PlannedWorkspace {
  name: string;
  index: number;
  vm: { action: VmAction; zone: string; plan: string };
  /** The state entry of a workspace that already exists. */
  existing: Entry | undefined;
}

export interface DeployPlan {
  service: string;
  workspaces: PlannedWorkspace[];
  /** VMs the plan creates (what the cost is for). */
  newVms: number;
  /** Workspaces in the state beyond --count: deploy leaves them alone. */
  beyondCount: string[];
  warnings: string[];
}

export interface DeployPlanInput {
  config: LoadedConfig;
  state: State;
  count: number;
  /** Where new VMs go. */
  placement: Pick<Placement, 'zone' | 'plan'>;
}

/** This service's workspaces in the state, by index (names that do not fit the naming pattern are ignored). */
function existingWorkspaces(input: DeployPlanInput): { name: string; index: number; entry: Entry }[] {
  const { service, naming } = input.config.config;
  const out: { name: string; index: number; entry: Entry }[] = [];
  for (const [name, entry] of Object.entries(input.state.deployments)) {
    const index = indexOfName(naming.pattern, service, name);
    if (index !== undefined && (entry.service === undefined || entry.service === service)) out.push({ name, index, entry });
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * What `deploy --count N` does, as data: the state's workspaces (lowest indexes first) are kept, and the
 * missing ones get the next free indexes. With `vms.spread: false` every workspace shares one VM.
 */
export function planDeploy(input: DeployPlanInput): DeployPlan {
  const { config, count, placement } = input;
  const { service, naming, vms } = config.config;
  const existing = existingWorkspaces(input);
  const kept = existing.slice(0, count);
  const used = new Set(existing.map((w) => w.index));
  const slots: { name: string; index: number; entry: Entry | undefined }[] = [...kept];
  for (let index = 1; slots.length < count; index++) {
    if (!used.has(index)) slots.push({ name: workspaceName(naming.pattern, service, index), index, entry: undefined });
  }
  // A workspace keeps its VM unless the VM is known to be gone or was never created (a create that crashed).
  const hasVm = (entry: Entry | undefined) => entry !== undefined && entry.status !== 'missing' && Boolean(entry.vm_id);
  let sharedVm = !vms.spread && existing.some((w) => hasVm(w.entry));
  const workspaces = slots.map(({ name, index, entry }): PlannedWorkspace => {
    let action: VmAction;
    if (vms.spread) action = hasVm(entry) ? 'reuse' : 'create';
    else {
      action = sharedVm ? 'reuse' : 'create';
      sharedVm = true;
    }
    const zone = action === 'reuse' && entry?.zone ? entry.zone : placement.zone;
    const plan = action === 'reuse' && entry?.plan ? entry.plan : placement.plan;
    return { name, index, vm: { action, zone, plan }, existing: entry };
  });
  const beyondCount = existing.slice(count).map((w) => w.name);
  const warnings: string[] = [];
  if (beyondCount.length) {
    warnings.push(`the state has ${existing.length} workspaces, more than --count ${count}; deploy leaves ${beyondCount.join(', ')} alone (remove them with kamal-dev remove)`);
  }
  return { service, workspaces, newVms: workspaces.filter((w) => w.vm.action === 'create').length, beyondCount, warnings };
}
