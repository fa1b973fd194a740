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
  /** Where people can read the provider's prices (shown when the price list cannot be read). */
  readonly pricingUrl: string;
  /** The configured image runs the cloud-config of `CreateVmRequest.userData` at its first boot (absent: it does not). */
  readonly userData?: boolean;
  createVm(request: CreateVmRequest, signal?: AbortSignal): Promise<Vm>;
  getVm(id: string, signal?: AbortSignal): Promise<Vm | undefined>;
  /** Every VM carrying all of the given labels. A list may be a summary: `ip` can be undefined here, use getVm. */
  listVms(labels: Record<string, string>, signal?: AbortSignal): Promise<Vm[]>;
  /** Resolves once the VM is `started`. */
  startVm(id: string, signal?: AbortSignal): Promise<void>;
  /** Stops it if the provider needs that, deletes it with its disks. Already gone counts as done. */
  destroyVm(id: string, signal?: AbortSignal): Promise<void>;
  plans(signal?: AbortSignal): Promise<Plan[]>;
  /** The configured plan when its location and size exist; otherwise a PlacementError naming the valid ones. */
  checkPlacement(signal?: AbortSignal): Promise<Plan>;
  /** The price of `count` new VMs of the configured plan. */
  estimateCost(count: number, signal?: AbortSignal): Promise<CostEstimate>;
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
}
