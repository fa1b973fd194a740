import { ConfigError } from '../lib/errors.js';

/** What kamal-dev needs from a cloud provider. The UpCloud implementation lives in ./upcloud/. */

export type VmState = 'started' | 'stopped' | 'maintenance' | 'error';

export interface Vm {
  id: string;
  /** The server's title (kamal-dev sets it to the workspace or VM name). */
  name: string;
  state: VmState;
  /** Public IPv4 address, once assigned. */
  ip: string | undefined;
  zone: string;
  plan: string;
  labels: Record<string, string>;
}

export interface CreateVmRequest {
  name: string;
  zone: string;
  plan: string;
  storageTemplate: string;
  /** GiB; undefined means the plan's own storage size. */
  diskSizeGb: number | undefined;
  sshPublicKey: string;
  /** Every label, including managedBy, kamal-dev-service, kamal-dev-workspace and kamal-dev-request. */
  labels: Record<string, string>;
}

export interface Plan {
  name: string;
  cores: number;
  memoryMb: number;
  storageGb: number;
  /** Tier of the plan's included disk (maxiops, standard...); undefined for plans without storage. */
  storageTier: string | undefined;
}

export interface CostEstimate {
  currency: string;
  newVms: number;
  plan: string;
  zone: string;
  /** Per VM, in currency units per hour (not cents). */
  perVmHourly: number;
  hourly: number;
  /** hourly x 672, as UpCloud bills a month. */
  monthly: number;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Overall deadline in milliseconds from the call. */
  timeoutMs?: number;
  intervalMs?: number;
  /** Called with each VM the first time it is seen started. */
  onStarted?: (vm: Vm) => void;
}

export interface Provider {
  createVm(request: CreateVmRequest, signal?: AbortSignal): Promise<Vm>;
  getVm(id: string, signal?: AbortSignal): Promise<Vm | undefined>;
  /** Every VM carrying all of the given labels. The API's list is a summary: `ip` is undefined here, use getVm. */
  listVms(labels: Record<string, string>, signal?: AbortSignal): Promise<Vm[]>;
  /** Waits for all `ids` to be `started` with one list call per interval, not one call per VM. */
  waitUntilRunning(ids: readonly string[], labels: Record<string, string>, options?: WaitOptions): Promise<Map<string, Vm>>;
  /** Hard stop; resolves once the VM is `stopped`. */
  stopVm(id: string, signal?: AbortSignal): Promise<void>;
  /** Resolves once the VM is `started`. */
  startVm(id: string, signal?: AbortSignal): Promise<void>;
  /** Stop (hard), wait for stopped, delete with its storages. Already gone counts as done. */
  destroyVm(id: string, signal?: AbortSignal): Promise<void>;
  plans(signal?: AbortSignal): Promise<Plan[]>;
  /** The plan when both zone and plan exist; otherwise a ConfigError (exit 2) naming the valid ones. */
  checkPlacement(zone: string, plan: string, signal?: AbortSignal): Promise<Plan>;
  estimateCost(request: { plan: string; zone: string; count: number; diskSizeGb: number | undefined }, signal?: AbortSignal): Promise<CostEstimate>;
}

/** A zone or plan the provider does not have: a configuration error of `provider.zone` / `provider.plan`. */
export class PlacementError extends ConfigError {
  override name = 'PlacementError';
}
