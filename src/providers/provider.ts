import type { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import type { Secret } from '../lib/secret.js';

/** What kamal-dev needs from a cloud provider: each implementation lives in its own folder (see ./registry.ts). */

export type VmState = 'started' | 'stopped' | 'maintenance' | 'error';

export interface Vm {
  id: string;
  /** The server's title (kamal-dev sets it to the workspace or VM name). */
  name: string;
  state: VmState;
  /** Public IPv4 address, once assigned. */
  ip: string | undefined;
  /** Where it runs and its size, in the provider's words (UpCloud: zone and plan); recorded in the state. */
  zone: string;
  plan: string;
  labels: Record<string, string>;
}

/** A new VM. Where it goes and how large it is come from the provider's own configuration. */
export interface CreateVmRequest {
  name: string;
  /** The login user that gets `sshPublicKey` (ssh.user). */
  sshUser: string;
  sshPublicKey: string;
  /** Every label (see ./labels.ts), including the request label that makes the create duplicate-safe. */
  labels: Record<string, string>;
  /** cloud-config for the VM's first boot, sent only to a provider whose `userData` is true (it holds a private host key). */
  userData?: Secret;
  /** The workspace's number (1, 2, ...) when each workspace has a VM of its own: how own hosts are chosen. */
  index?: number;
}

export interface Plan {
  name: string;
  cores: number;
  memoryMb: number;
  storageGb: number;
}

export interface CostEstimate {
  currency: string;
  newVms: number;
  /** Per VM, in currency units per hour (not cents). */
  perVmHourly: number;
  hourly: number;
  /** hourly x hoursPerMonth: a month as the provider bills it. */
  monthly: number;
  hoursPerMonth: number;
  /** Nothing is paid through kamal-dev: the workspaces go to the user's own hosts. */
  ownHosts?: boolean;
}

/**
 * What one VM of a placement costs per hour, started and stopped, in integers of micro-cents (1e-6 of a hundredth
 * of `currency`), so that sums are exact (docs/costs.md).
 */
export interface HourlyRates {
  currency: string;
  startedMicroCents: number;
  stoppedMicroCents: number;
}

/** What the provider bills for a stopped VM (docs/costs.md): `full` means a stop saves nothing. */
export interface StoppedBilling {
  billed: 'full' | 'partial';
  /** One sentence, for people: what a stopped VM still costs. */
  rule: string;
}

/** Where new VMs of this configuration go, as the state records it. */
export interface Placement {
  /** The provider's type, written into state entries. */
  provider: string;
  zone: string;
  plan: string;
}

export interface Provider {
  readonly placement: Placement;
  /**
   * true: the VMs are the user's own machines (the `ssh` provider). kamal-dev never creates, starts or destroys
   * them: createVm only chooses one, `remove` removes containers and their files, no create is looked up by
   * its request label, and there is no cost to confirm. Absent means false.
   */
  readonly ownHosts?: boolean;
  /** Where people can read the provider's prices (shown when the price list cannot be read). */
  readonly pricingUrl: string;
  /** The configured image runs the cloud-config of `CreateVmRequest.userData` at its first boot (absent: it does not). */
  readonly userData?: boolean;
  readonly stoppedBilling: StoppedBilling;
  createVm(request: CreateVmRequest, signal?: AbortSignal): Promise<Vm>;
  getVm(id: string, signal?: AbortSignal): Promise<Vm | undefined>;
  /** Every VM carrying all of the given labels. A list may be a summary: `ip` can be undefined here, use getVm. */
  listVms(labels: Record<string, string>, signal?: AbortSignal): Promise<Vm[]>;
  /** Resolves once the VM is `started`. */
  startVm(id: string, signal?: AbortSignal): Promise<void>;
  /**
   * Asks for a hard stop and resolves once the provider has accepted it (or the VM is already stopped); wait for
   * `stopped` with the VmWaiter, one list call for many VMs. Gone: a ProviderError with status 404.
   */
  stopVm(id: string, signal?: AbortSignal): Promise<void>;
  /** Stops it if the provider needs that, deletes it with its disks. Already gone counts as done. */
  destroyVm(id: string, signal?: AbortSignal): Promise<void>;
  plans(signal?: AbortSignal): Promise<Plan[]>;
  /** The configured plan when its location and size exist; otherwise a PlacementError naming the valid ones. */
  checkPlacement(signal?: AbortSignal): Promise<Plan>;
  /** The price of `count` new VMs of the configured plan. */
  estimateCost(count: number, signal?: AbortSignal): Promise<CostEstimate>;
  /** What one VM of this zone and plan costs per hour, started and stopped, from the price list. */
  hourlyRates(placement: { zone: string; plan: string }, signal?: AbortSignal): Promise<HourlyRates>;
}

/** One provider API exchange, for --verbose. Never carries bodies or headers. */
export interface RequestEvent {
  method: string;
  path: string;
  /** undefined when no response arrived (network error, timeout). */
  status: number | undefined;
  ms: number;
}

/** A location or size the provider does not have: a configuration error of a `provider.*` key. */
export class PlacementError extends ConfigError {
  override name = 'PlacementError';
  /** The key path of config/dev.yml that named the location or size (`provider.zone`). */
  readonly key: string;
  constructor(key: string, message: string, options: { hint?: string } = {}) {
    super(`${key}: ${message}`, options);
    this.key = key;
  }
}

/** What building a provider gets: its own part of config/dev.yml and where its credentials may come from. */
export interface ProviderSetup<C> {
  config: C;
  env: Readonly<Record<string, string | undefined>>;
  /** Every key of the secrets files. */
  secrets: ReadonlyMap<string, Secret>;
  pollIntervalMs: number;
  onRequest?: (event: RequestEvent) => void;
  /** Called with each credential the provider will send, so that every output redacts it. */
  onSecret(secret: Secret): void;
}

/**
 * A provider as the rest of kamal-dev knows it: its `provider:` schema (pure), the variables its credentials
 * come from, and a factory that loads its client only when called. Adding a provider is a folder of its own
 * and one line in DEFINITIONS (docs/architecture.md#providers).
 */
export interface ProviderDefinition<S extends z.ZodObject = z.ZodObject> {
  type: string;
  schema: S;
  credentialKeys: readonly string[];
  /** Where new VMs of this configuration go, without asking the provider (dry runs need no credentials). */
  placement(config: z.infer<S>): Placement;
  /** Per host address, the SSH user and port where they differ from ssh.user and ssh.port (own hosts). */
  sshTargets?(config: z.infer<S>): Record<string, { user?: string; port?: number }>;
  create(setup: ProviderSetup<z.infer<S>>): Promise<Provider>;
}
