import { dockerStop } from '../docker/commands.js';
import { serviceLabels } from '../providers/labels.js';
import type { Vm } from '../providers/provider.js';
import { check } from '../remote/check.js';
import type { Entry } from '../state/schema.js';
import type { LifecycleDeps } from './ports.js';
import type { StepReporter } from './runner.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';
import { VmWaiter } from './vm-waiter.js';

/** The workspaces of `names` and every other workspace on one of their VMs (a shared VM stops for all of them). */
export function onSameVms(deployments: Record<string, Entry>, names: readonly string[]): string[] {
  const vms = new Set(names.map((name) => deployments[name]?.vm_id).filter(Boolean));
  const others = Object.keys(deployments).filter((name) => !names.includes(name) && vms.has(deployments[name]!.vm_id));
  return [...names, ...others];
}

/**
 * Powers the workspaces' VMs off and on through the provider: each VM once, however many workspaces share it,
 * and one VmWaiter for all of them (one list call per interval, docs/commands.md#stop).
 */
export class VmPower {
  readonly #stops = new Map<string, Promise<void>>();
  readonly #starts = new Map<string, Promise<Vm>>();
  readonly #waiter: VmWaiter;

  private constructor(
    private readonly deps: LifecycleDeps,
    service: string,
    private readonly deployments: Record<string, Entry>,
    private readonly vms: Map<string, Vm>,
  ) {
    const { settings, signal } = deps;
    this.#waiter = new VmWaiter(deps.provider, serviceLabels(service), { intervalMs: settings.pollIntervalMs, timeoutMs: settings.bootTimeoutMs, signal });
  }

  /** One list call for the service's VMs. */
  static async of(service: string, deployments: Record<string, Entry>, deps: LifecycleDeps): Promise<VmPower> {
    const vms = await deps.provider.listVms(serviceLabels(service), deps.signal);
    return new VmPower(deps, service, deployments, new Map(vms.map((vm) => [vm.id, vm])));
  }

  #vm(entry: Entry): Vm {
    if (!entry.vm_id) throw new Error('no VM recorded (deploy it first)');
    const vm = this.vms.get(entry.vm_id);
    if (!vm) throw new Error(`VM ${entry.vm_id} is not at the provider (kamal-dev list --rebuild, or deploy again)`);
    return vm;
  }

  /** Stops every container on the entry's VM, then the VM; resolves once the provider shows it stopped. */
  stop(entry: Entry, step: StepReporter): Promise<void> {
    const vm = this.#vm(entry);
    let stopping = this.#stops.get(vm.id);
    if (!stopping) {
      stopping = this.#stopVm(vm, entry, step);
      this.#stops.set(vm.id, stopping);
    }
    return stopping;
  }

  async #stopVm(vm: Vm, entry: Entry, step: StepReporter): Promise<void> {
    const { deps } = this;
    if (vm.state === 'stopped') return;
    if (vm.state === 'started' && entry.vm_ip) {
      step('container.stop');
      const { executor } = await deps.connector.connect(entry.vm_ip, entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.power });
      for (const other of Object.values(this.deployments).filter((e) => e.vm_id === vm.id)) {
        await check(executor, dockerStop(other.container_name), { signal: deps.signal });
      }
    }
    step('vm.stop');
    await deps.provider.stopVm(vm.id, deps.signal);
    step('vm.stop-wait');
    await this.#waiter.waitFor(vm.id, 'stopped');
  }

  /** The entry's VM started (powered on when it is not); its address, and whether it was booted just now. */
  async start(entry: Entry, step: StepReporter): Promise<{ ip: string; booted: boolean }> {
    const vm = this.#vm(entry);
    if (vm.state === 'started' && entry.vm_ip) return { ip: entry.vm_ip, booted: false };
    step('vm.start');
    let starting = this.#starts.get(vm.id);
    if (!starting) {
      starting = this.deps.provider.startVm(vm.id, this.deps.signal).then(() => this.#waiter.waitFor(vm.id));
      this.#starts.set(vm.id, starting);
    }
    const started = await starting;
    return { ip: started.ip!, booted: true };
  }
}
