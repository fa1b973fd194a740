import { dockerPs, parsePsNames } from '../docker/commands.js';
import { containerInScope, serviceContainerLabels, WORKSPACE_LABEL } from '../docker/labels.js';
import { mapPool } from '../lib/pool.js';
import { REQUEST_LABEL, WORKSPACE_LABEL as VM_WORKSPACE_LABEL, type ServiceScope } from '../providers/labels.js';
import type { Vm } from '../providers/provider.js';
import type { Entry } from '../state/schema.js';
import { inspectContainers } from './inspect.js';
import { listServiceVms } from './service-vms.js';
import type { LifecycleDeps } from './ports.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';

interface Found {
  name: string;
  vm: Vm;
  container: string | undefined;
  hostKey: string | undefined;
}

/** The workspaces on one VM: its containers labelled for the service, or the VM's own workspace label. */
async function workspacesOnVm({ service, destination }: ServiceScope, listed: Vm, pinned: string | undefined, deps: LifecycleDeps): Promise<Found[]> {
  // The provider's list carries no addresses.
  const vm = listed.ip ? listed : ((await deps.provider.getVm(listed.id, deps.signal)) ?? listed);
  const label = vm.labels[VM_WORKSPACE_LABEL];
  const fallback = (hostKey?: string): Found[] => (label ? [{ name: label, vm, container: undefined, hostKey }] : []);
  if (vm.state !== 'started' || !vm.ip) return fallback();
  try {
    const { executor, hostKey } = await deps.connector.connect(vm.ip, pinned, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.rebuild });
    const ps = await executor.run(dockerPs(serviceContainerLabels(service, destination)), { signal: deps.signal });
    const containers = ps.exitCode === 0 ? await inspectContainers(executor, parsePsNames(ps.stdout), deps.signal) : [];
    const found = containers
      .filter((info) => info.labels[WORKSPACE_LABEL] && containerInScope(info.labels, destination))
      .map((info) => ({ name: info.labels[WORKSPACE_LABEL]!, vm, container: info.status, hostKey }));
    return found.length > 0 ? found : fallback(hostKey);
  } catch {
    return fallback();
  }
}

/**
 * Rebuilds the state from the provider: adds workspaces the state lost (found by the VMs' labels and the
 * containers' labels on them) and marks `missing` the ones whose VM the provider no longer has.
 */
export async function rebuildState(scope: ServiceScope, deps: LifecycleDeps): Promise<{ added: string[]; missing: string[] }> {
  const { service } = scope;
  const vms = await listServiceVms(deps.provider, scope, deps.signal);
  const { deployments } = await deps.state.read();
  const pinnedKeys = new Map(Object.values(deployments).filter((e) => e.vm_id && e.host_key).map((e) => [e.vm_id!, e.host_key!]));
  const perVm = await mapPool(vms, deps.settings.concurrency, (vm) => workspacesOnVm(scope, vm, pinnedKeys.get(vm.id), deps), deps.signal);
  const found = perVm
    .flat()
    .filter((f): f is Found => f !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const liveIds = new Set(vms.map((vm) => vm.id));
  return deps.state.update((state) => {
    const added: string[] = [];
    const missing: string[] = [];
    for (const f of found) {
      const known = state.deployments[f.name];
      const status: Entry['status'] =
        f.vm.state !== 'started' ? 'stopped' : f.container === 'running' ? 'running' : f.container ? 'stopped' : 'provisioned';
      if (!known) added.push(f.name);
      state.deployments[f.name] = {
        ...known,
        container_name: known?.container_name ?? f.name,
        vm_id: f.vm.id,
        vm_ip: f.vm.ip ?? null,
        status,
        deployed_at: known?.deployed_at ?? null,
        service,
        provider: deps.provider.placement.provider,
        zone: f.vm.zone,
        plan: f.vm.plan,
        ...(f.vm.labels[REQUEST_LABEL] ? { request_id: f.vm.labels[REQUEST_LABEL] } : {}),
        ...(f.hostKey ? { host_key: f.hostKey } : {}),
      };
    }
    for (const [name, entry] of Object.entries(state.deployments)) {
      if ((entry.service ?? service) !== service) continue;
      if (entry.vm_id && !liveIds.has(entry.vm_id) && entry.status !== 'missing') {
        state.deployments[name] = { ...entry, status: 'missing' };
        missing.push(name);
      }
    }
    return { added, missing };
  });
}
