import { randomUUID } from 'node:crypto';
import { CancelledError } from '../lib/errors.js';
import { mapPool } from '../lib/pool.js';
import type { Vm } from '../providers/provider.js';
import type { Entry } from '../state/schema.js';
import { convergeContainer, type ContainerAction } from './container.js';
import type { LifecycleDeps } from './ports.js';
import { ensureDocker, homeDir } from './remote-steps.js';
import { VmWaiter } from './vm-waiter.js';
import type { WorkspacePlan } from './workspace.js';

export interface VmSpec {
  service: string;
  zone: string;
  plan: string;
  storageTemplate: string;
  diskSizeGb: number | undefined;
  sshPublicKey: string;
  /** false: every workspace of the service shares one VM. */
  spread: boolean;
}

export interface Target {
  name: string;
  index: number;
  entry: Entry;
  /** Reserved by this run: no create can have been sent for it yet, so no look-up by its request label. */
  fresh?: boolean;
}

export interface WorkspaceResult {
  name: string;
  status: 'running' | 'failed' | 'provisioned' | 'provisioning';
  vm_id: string | null;
  vm_ip: string | null;
  action?: ContainerAction;
  error?: string;
}

export function serviceLabels(service: string): Record<string, string> {
  return { managedBy: 'kamal-dev', 'kamal-dev-service': service };
}

/** A fresh `provisioning` entry for a reserved name. */
export function provisioningEntry(spec: VmSpec, name: string): Entry {
  return {
    container_name: name,
    status: 'provisioning',
    vm_id: null,
    vm_ip: null,
    deployed_at: null,
    service: spec.service,
    provider: 'upcloud',
    zone: spec.zone,
    plan: spec.plan,
    request_id: randomUUID(),
  };
}

/** Deploys every target in parallel (bounded), each independently: one failure never stops the others. */
export async function applyWorkspaces(
  spec: VmSpec,
  targets: readonly Target[],
  plan: (target: Target, home: string) => WorkspacePlan,
  deps: LifecycleDeps,
): Promise<WorkspaceResult[]> {
  const labels = serviceLabels(spec.service);
  const waiter = new VmWaiter(deps.provider, labels, { intervalMs: deps.pollIntervalMs, timeoutMs: deps.bootTimeoutMs, signal: deps.signal });
  const sharedVm = new Map<string, Promise<Vm>>();
  const step = (name: string, text: string, outcome?: 'ok' | 'failed') =>
    deps.progress.update({ workspace: name, step: text, ...(outcome ? { outcome } : {}) });

  /** The VM of a workspace: its recorded one if the provider still has it, one found by its request label, or a new one. */
  const ensureVm = async (target: Target, entry: Entry): Promise<Vm> => {
    if (entry.vm_id) {
      const vm = await deps.provider.getVm(entry.vm_id, deps.signal);
      if (vm) {
        if (vm.state === 'stopped') {
          step(target.name, 'starting VM');
          await deps.provider.startVm(vm.id, deps.signal);
        }
        return vm;
      }
      deps.log.warn(`${target.name}: VM ${entry.vm_id} is gone at the provider; creating a new one`);
    }
    if (entry.request_id && !target.fresh) {
      const [adopted] = await deps.provider.listVms({ ...labels, 'kamal-dev-request': entry.request_id }, deps.signal);
      if (adopted) return adopted;
    }
    if (deps.signal.aborted) throw new CancelledError();
    step(target.name, 'creating VM');
    const requestId = entry.request_id ?? randomUUID();
    // Not aborted by Ctrl-C: a create under way must come back so that its VM is recorded.
    const vm = await deps.provider.createVm({
      name: spec.spread ? target.name : `${spec.service}-shared`,
      zone: spec.zone,
      plan: spec.plan,
      storageTemplate: spec.storageTemplate,
      diskSizeGb: spec.diskSizeGb,
      sshPublicKey: spec.sshPublicKey,
      labels: { ...labels, 'kamal-dev-workspace': target.name, 'kamal-dev-request': requestId },
    });
    return vm;
  };

  const vmFor = async (target: Target, entry: Entry): Promise<Vm> => {
    if (spec.spread) return ensureVm(target, entry);
    let shared = sharedVm.get('shared');
    if (!shared) {
      shared = ensureVm(target, entry);
      sharedVm.set('shared', shared);
    }
    return shared;
  };

  const deployOne = async (target: Target): Promise<WorkspaceResult> => {
    let entry = target.entry;
    const record = async (changes: Partial<Entry>) => {
      entry = { ...entry, ...changes };
      await deps.state.patch(target.name, changes);
    };
    try {
      let vm = await vmFor(target, entry);
      if (vm.id !== entry.vm_id || vm.ip !== entry.vm_ip) {
        await record({ vm_id: vm.id, vm_ip: vm.ip ?? null, status: entry.status === 'provisioning' ? 'provisioned' : entry.status });
      }
      if (vm.state !== 'started' || !vm.ip) {
        step(target.name, 'waiting for the VM to start');
        vm = await waiter.waitFor(vm.id);
        if (vm.ip !== entry.vm_ip) await record({ vm_ip: vm.ip ?? null });
      }
      step(target.name, 'waiting for SSH');
      const connection = await deps.connect(vm.ip!, entry.host_key, { signal: deps.signal, timeoutMs: deps.sshTimeoutMs });
      if (entry.host_key !== connection.hostKey) await record({ host_key: connection.hostKey });
      const executor = connection.executor;
      step(target.name, 'checking Docker');
      if (await ensureDocker(executor, deps.dockerInstallUrl, deps.signal)) step(target.name, 'Docker installed');
      const workspace = plan(target, await homeDir(executor));
      const { action, ports } = await convergeContainer(executor, workspace, (text) => step(target.name, text), deps.signal);
      const deployedAt = action === 'unchanged' && entry.deployed_at ? entry.deployed_at : deps.now().toISOString();
      await record({ status: 'running', deployed_at: deployedAt, error: undefined, ...(Object.keys(ports).length ? { ports } : {}) });
      step(target.name, action === 'unchanged' ? 'running (unchanged)' : `running (${action})`, 'ok');
      return { name: target.name, status: 'running', vm_id: vm.id, vm_ip: vm.ip ?? null, action };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const cancelled = error instanceof CancelledError || deps.signal.aborted;
      if (!cancelled) await deps.state.patch(target.name, { status: 'failed', error: message }).catch(() => undefined);
      step(target.name, cancelled ? 'interrupted' : `failed: ${message}`, 'failed');
      return {
        name: target.name,
        status: cancelled ? (entry.vm_id ? 'provisioned' : 'provisioning') : 'failed',
        vm_id: entry.vm_id ?? null,
        vm_ip: entry.vm_ip ?? null,
        ...(cancelled ? {} : { error: message }),
      };
    }
  };

  const results = await mapPool(targets, deps.concurrency, deployOne, deps.signal);
  return results.map((result, i) => result ?? { name: targets[i]!.name, status: 'provisioning', vm_id: null, vm_ip: null });
}
