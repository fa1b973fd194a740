import { randomUUID } from 'node:crypto';
import { CancelledError } from '../lib/errors.js';
import { requestLabels, serviceLabels, vmLabels } from '../providers/labels.js';
import type { Placement, Vm } from '../providers/provider.js';
import type { Entry } from '../state/schema.js';
import { convergeContainer, type ContainerAction } from './container.js';
import type { LifecycleDeps } from './ports.js';
import { ensureIdleWatcher } from './idle-install.js';
import { ensureImage } from './image.js';
import { ensureDocker, homeDir } from './remote-steps.js';
import { runEach, type StepReporter } from './runner.js';
import { VmWaiter } from './vm-waiter.js';
import { bindWorkspace, type ServicePlan, type WorkspacePlan } from './workspace.js';

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
  /** The plan that ran, bound to the VM's real home folder; absent when the run never reached the VM. */
  plan?: WorkspacePlan;
}

/** A fresh `provisioning` entry for a reserved name. */
export function provisioningEntry(service: string, placement: Placement, name: string): Entry {
  return {
    container_name: name,
    status: 'provisioning',
    vm_id: null,
    vm_ip: null,
    deployed_at: null,
    service,
    provider: placement.provider,
    zone: placement.zone,
    plan: placement.plan,
    request_id: randomUUID(),
  };
}

/** Deploys every target in parallel (bounded), each independently: one failure never stops the others. */
export async function applyWorkspaces(
  service: ServicePlan,
  sshPublicKey: string,
  targets: readonly Target[],
  deps: LifecycleDeps,
): Promise<WorkspaceResult[]> {
  const { provider, settings, signal } = deps;
  const { service: name, vms, ssh } = service.config.config;
  const { destination } = service.config;
  const waiter = new VmWaiter(provider, serviceLabels(name, destination), { intervalMs: settings.pollIntervalMs, timeoutMs: settings.bootTimeoutMs, signal });
  let sharedVm: Promise<Vm> | undefined;
  /** Each workspace's entry as this run last recorded it: what a failure reports (its VM may exist by then). */
  const recorded = new Map<string, Entry>();

  /** The VM of a workspace: its recorded one if the provider still has it, one found by its request label, or a new one. */
  const ensureVm = async (target: Target, entry: Entry, step: StepReporter): Promise<Vm> => {
    if (entry.vm_id) {
      const vm = await provider.getVm(entry.vm_id, signal);
      if (vm) {
        if (vm.state === 'stopped') {
          step('vm.start');
          await provider.startVm(vm.id, signal);
        }
        return vm;
      }
      deps.notices.warn(`${target.name}: VM ${entry.vm_id} is gone at the provider; creating a new one`);
    }
    if (entry.request_id && !target.fresh && !provider.ownHosts) {
      const [adopted] = await provider.listVms(requestLabels(name, entry.request_id, destination), signal);
      if (adopted) return adopted;
    }
    if (signal.aborted) throw new CancelledError();
    step('vm.create');
    // Not aborted by Ctrl-C: a create under way must come back so that its VM is recorded.
    return provider.createVm({
      name: vms.spread ? target.name : `${name}-shared`,
      sshUser: ssh.user,
      sshPublicKey,
      labels: vmLabels(name, target.name, entry.request_id ?? randomUUID(), destination),
      ...(vms.spread ? { index: target.index } : {}),
    });
  };

  const vmFor = (target: Target, entry: Entry, step: StepReporter): Promise<Vm> => {
    if (vms.spread) return ensureVm(target, entry, step);
    sharedVm ??= ensureVm(target, entry, step);
    return sharedVm;
  };

  return runEach(targets, deps, {
    run: async (target, step): Promise<WorkspaceResult> => {
      let entry = target.entry;
      const record = async (changes: Partial<Entry>) => {
        entry = { ...entry, ...changes };
        recorded.set(target.name, entry);
        await deps.state.patch(target.name, changes);
      };
      let vm = await vmFor(target, entry, step);
      if (vm.id !== entry.vm_id || vm.ip !== entry.vm_ip) {
        // A host key pinned for another VM (one that is gone) says nothing about this one: it is pinned anew below.
        const newVm = vm.id !== entry.vm_id && entry.host_key !== undefined;
        await record({ vm_id: vm.id, vm_ip: vm.ip ?? null, status: entry.status === 'provisioning' ? 'provisioned' : entry.status, ...(newVm ? { host_key: undefined } : {}) });
      }
      if (vm.state !== 'started' || !vm.ip) {
        step('vm.wait');
        vm = await waiter.waitFor(vm.id);
        if (vm.ip !== entry.vm_ip) await record({ vm_ip: vm.ip ?? null });
      }
      step('ssh.wait');
      const connection = await deps.connector.connect(vm.ip!, entry.host_key, { signal, timeoutMs: settings.sshTimeoutMs });
      if (entry.host_key !== connection.hostKey) await record({ host_key: connection.hostKey });
      const { executor } = connection;
      step('docker.check');
      await ensureDocker(executor, settings.dockerInstallUrl, () => step('docker.install'), signal);
      const home = await homeDir(executor);
      const image = await ensureImage({ executor, workspace: target.name, home, json: service.devcontainer.json, step, signal }, service.devcontainer.image);
      const plan = bindWorkspace(service, { name: target.name, index: target.index, home }, image.facts);
      const { action, ports } = await convergeContainer(executor, plan, step, signal, image.pulled);
      if (service.config.config.idle_timeout > 0) {
        step('idle.install');
        await ensureIdleWatcher(executor, home, service.config.config.idle_timeout, settings.idle, signal);
      }
      const deployedAt = action === 'unchanged' && entry.deployed_at ? entry.deployed_at : deps.now().toISOString();
      await record({ status: 'running', deployed_at: deployedAt, error: undefined, ...(Object.keys(ports).length ? { ports } : {}) });
      return { name: target.name, status: 'running', vm_id: vm.id, vm_ip: vm.ip ?? null, action, plan };
    },
    done: (result) => ({ outcome: 'ok', summary: `running (${result.action ?? 'unchanged'})` }),
    failed: async (target, { message, cancelled }) => {
      const entry = recorded.get(target.name) ?? target.entry;
      if (!cancelled) await deps.state.patch(target.name, { status: 'failed', error: message }).catch(() => undefined);
      return {
        name: target.name,
        status: cancelled ? (entry.vm_id ? 'provisioned' : 'provisioning') : 'failed',
        vm_id: entry.vm_id ?? null,
        vm_ip: entry.vm_ip ?? null,
        ...(cancelled ? {} : { error: message }),
      };
    },
  });
}
