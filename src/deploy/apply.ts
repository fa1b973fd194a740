import { randomUUID } from 'node:crypto';
import { CancelledError } from '../lib/errors.js';
import { generateHostKey } from '../lib/ssh-host-key.js';
import { requestLabels, serviceLabels, vmLabels } from '../providers/labels.js';
import type { Placement, Vm } from '../providers/provider.js';
import type { Entry } from '../state/schema.js';
import { composeEngine, convergeCompose } from './compose.js';
import { ensureComposeImage } from './compose-image.js';
import { ensureLocalBindSources } from './bind-sources.js';
import { cloudConfig } from './cloud-config.js';
import { convergeContainer, type ContainerAction } from './container.js';
import { NO_CONTENT } from '../config/content-plan.js';
import { finishContent, prepareContent } from './content/prepare.js';
import { replaceHostKey, waitForCloudInit } from './host-key-steps.js';
import { ensureIdleWatcher } from './idle-install.js';
import { ensureImage } from './image.js';
import type { LifecycleDeps } from './ports.js';
import { registryContext } from './registry-image.js';
import { RegistryPushes } from './registry-pushes.js';
import { blockMetadata, ensureDocker, homeDir } from './remote-steps.js';
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

/** A workspace's VM, with the fingerprint of the host key handed to it when this run created it. */
interface FoundVm {
  vm: Vm;
  handedHostKey?: string;
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
  let sharedVm: Promise<FoundVm> | undefined;
  /** VMs created by this run with a host key made here: replaced once per VM over its first verified connection. */
  const rekeys = new Map<string, Promise<string>>();
  /** Each workspace's entry as this run last recorded it: what a failure reports (its VM may exist by then). */
  const recorded = new Map<string, Entry>();
  /** With registry:, each built image is built and pushed once in this run, and pulled by the other workspaces. */
  const pushes = new RegistryPushes();

  /** The VM of a workspace: its recorded one if the provider still has it, one found by its request label, or a new one. */
  const ensureVm = async (target: Target, entry: Entry, step: StepReporter): Promise<FoundVm> => {
    if (entry.vm_id) {
      const vm = await provider.getVm(entry.vm_id, signal);
      if (vm) {
        if (vm.state === 'stopped') {
          step('vm.start');
          await provider.startVm(vm.id, signal);
        }
        return { vm };
      }
      deps.notices.warn(`${target.name}: VM ${entry.vm_id} is gone at the provider; creating a new one`);
    }
    if (entry.request_id && !target.fresh && !provider.ownHosts) {
      const [adopted] = await provider.listVms(requestLabels(name, entry.request_id, destination), signal);
      if (adopted) return { vm: adopted };
    }
    if (signal.aborted) throw new CancelledError();
    step('vm.create');
    // The VM's host key, made here and handed over at creation: its first connection is verified (docs/architecture.md#host-keys).
    const hostKey = provider.userData ? generateHostKey() : undefined;
    const userData = hostKey && cloudConfig({ hostKey, sshUser: ssh.user, dockerInstallUrl: settings.dockerInstallUrl });
    // Not aborted by Ctrl-C: a create under way must come back so that its VM is recorded.
    const vm = await provider.createVm({
      name: vms.spread ? target.name : `${name}-shared`,
      sshUser: ssh.user,
      sshPublicKey,
      labels: vmLabels(name, target.name, entry.request_id ?? randomUUID(), destination),
      ...(vms.spread ? { index: target.index } : {}),
      ...(userData ? { userData } : {}),
    });
    return { vm, ...(hostKey ? { handedHostKey: hostKey.fingerprint } : {}) };
  };

  const vmFor = (target: Target, entry: Entry, step: StepReporter): Promise<FoundVm> => {
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
      const found = await vmFor(target, entry, step);
      let { vm } = found;
      const handed = found.handedHostKey;
      if (vm.id !== entry.vm_id || vm.ip !== entry.vm_ip || (handed && handed !== entry.host_key)) {
        // A host key pinned for another VM (one that is gone) says nothing about this one: it is pinned anew below.
        const newVm = vm.id !== entry.vm_id && entry.host_key !== undefined;
        await record({
          vm_id: vm.id,
          vm_ip: vm.ip ?? null,
          status: entry.status === 'provisioning' ? 'provisioned' : entry.status,
          ...(handed ? { host_key: handed, host_key_source: 'user_data' } : newVm ? { host_key: undefined, host_key_source: undefined } : {}),
        });
      }
      if (vm.state !== 'started' || !vm.ip) {
        step('vm.wait');
        vm = await waiter.waitFor(vm.id);
        if (vm.ip !== entry.vm_ip) await record({ vm_ip: vm.ip ?? null });
      }
      step('ssh.wait');
      const connection = await deps.connector.connect(vm.ip!, entry.host_key, { signal, timeoutMs: settings.sshTimeoutMs });
      const { executor } = connection;
      // also when the run that created the VM stopped before replacing the key
      if (handed || entry.host_key_source === 'user_data') {
        // verified against the handed key: now the key in user_data is replaced by one made on the VM, pinned here
        const id = vm.id;
        let rekey = rekeys.get(id);
        if (!rekey) {
          step('ssh.rekey');
          rekey = waitForCloudInit(executor, signal).then(() => replaceHostKey(executor, signal));
          rekeys.set(id, rekey);
        }
        await record({ host_key: await rekey, host_key_source: undefined });
      } else if (entry.host_key !== connection.hostKey) await record({ host_key: connection.hostKey });
      step('docker.check');
      await ensureDocker(executor, settings.dockerInstallUrl, () => step('docker.install'), signal);
      if (!vms.metadata_access && !provider.ownHosts) await blockMetadata(executor, signal);
      const home = await homeDir(executor);
      const engine = service.devcontainer.compose ? await composeEngine(executor, signal) : undefined;
      const imageContext = { executor, workspace: target.name, home, json: service.devcontainer.json, step, signal };
      // A Compose workspace's service image is made ready here too (its other services' are Compose's); registry: is for single containers.
      const image = engine
        ? await ensureComposeImage(imageContext, service.devcontainer, engine)
        : await ensureImage({ ...imageContext, registry: registryContext(service, pushes, { workspace: target.name, home, insecure: settings.insecureRegistries }) }, service.devcontainer.image);
      const plan = bindWorkspace(service, { name: target.name, index: target.index, home, composeEngine: engine }, image.facts);
      const content = service.content ?? NO_CONTENT;
      await prepareContent(executor, plan, home, content, step, deps.notices, signal);
      await ensureLocalBindSources(executor, plan, deps.notices, signal);
      const { action, ports } = plan.compose ? await convergeCompose(executor, plan, step, signal) : await convergeContainer(executor, plan, step, signal, image.pulled);
      await finishContent(executor, plan, content, action, step, deps.notices, signal);
      if (service.config.config.idle_timeout > 0) {
        step('idle.install');
        await ensureIdleWatcher(executor, home, service.config.config.idle_timeout, settings.idle, signal);
      }
      const deployedAt = action === 'unchanged' && entry.deployed_at ? entry.deployed_at : deps.now().toISOString();
      await record({
        status: 'running',
        deployed_at: deployedAt,
        error: undefined,
        ...(Object.keys(ports).length ? { ports } : {}),
        ...(plan.compose ? { compose_project: plan.compose.project } : {}),
      });
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
