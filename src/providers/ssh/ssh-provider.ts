import { ProviderError } from '../../lib/errors.js';
import type { CostEstimate, CreateVmRequest, HourlyRates, Placement, Plan, Provider, StoppedBilling, Vm } from '../provider.js';
import { OWN_PLAN, OWN_ZONE, sshPlacement, type SshConfig } from './config.js';
import { parseHost, type HostEntry } from './hosts.js';

/** Nothing is known of an own host's size, so no devcontainer hostRequirements can fail against it. */
const UNKNOWN_SIZE: Plan = { name: OWN_PLAN, cores: Infinity, memoryMb: Infinity, storageGb: Infinity };

/**
 * Your own machines behind the Provider interface (Kamal's model): a "VM" is one of `provider.hosts`, always
 * started; nothing is created, started or destroyed (`ownHosts`, docs/architecture.md#providers).
 */
export class SshHostsProvider implements Provider {
  readonly ownHosts = true;
  readonly pricingUrl = '';
  readonly stoppedBilling: StoppedBilling = { billed: 'full', rule: 'your own hosts: kamal-dev neither bills nor powers them off' };
  readonly placement: Placement = sshPlacement();
  readonly #hosts: HostEntry[];

  constructor(config: SshConfig) {
    this.#hosts = config.hosts.map((entry) => parseHost(entry)!);
  }

  /** Round robin by the workspace's number; without one (vms.spread: false) the first host. */
  async createVm(request: CreateVmRequest): Promise<Vm> {
    const index = request.index === undefined ? 0 : (request.index - 1) % this.#hosts.length;
    return toVm(this.#hosts[Math.max(0, index)]!);
  }

  /** A host no longer listed in config/dev.yml is gone, as a deleted VM would be. */
  async getVm(id: string): Promise<Vm | undefined> {
    const host = this.#hosts.find((h) => h.entry === id);
    return host === undefined ? undefined : toVm(host);
  }

  /** Every host: they carry no labels, so the rebuild reads the containers' labels on each. */
  async listVms(): Promise<Vm[]> {
    return this.#hosts.map(toVm);
  }

  async startVm(): Promise<void> {}

  async destroyVm(): Promise<void> {}

  /** Powering a machine of yours off is not kamal-dev's to do: `stop` stops the containers only. */
  async stopVm(id: string): Promise<void> {
    throw new ProviderError(`${id} is one of your own hosts (provider.type: ssh): kamal-dev does not power it off; use stop without --vm`);
  }

  async hourlyRates(): Promise<HourlyRates> {
    return { currency: '', startedMicroCents: 0, stoppedMicroCents: 0 };
  }

  async plans(): Promise<Plan[]> {
    return [UNKNOWN_SIZE];
  }

  async checkPlacement(): Promise<Plan> {
    return UNKNOWN_SIZE;
  }

  async estimateCost(count: number): Promise<CostEstimate> {
    return { currency: '', newVms: count, perVmHourly: 0, hourly: 0, monthly: 0, hoursPerMonth: 0, ownHosts: true };
  }
}

function toVm(host: HostEntry): Vm {
  return { id: host.entry, name: host.entry, state: 'started', ip: host.host, zone: OWN_ZONE, plan: OWN_PLAN, labels: {} };
}
