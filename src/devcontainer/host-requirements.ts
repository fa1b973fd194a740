import type { DevcontainerJson } from './schema.js';

/** A size of VM a provider offers (structurally its Plan). */
export interface Plan {
  name: string;
  cores: number;
  memoryMb: number;
  storageGb: number;
}

export interface HostRequirements {
  cpus: number | undefined;
  memoryMb: number | undefined;
  storageGb: number | undefined;
}

const UNIT: Record<string, number> = { '': 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** Bytes of a devcontainer size (`"4gb"`, `"512mb"`, a bare number of bytes); the schema has checked its form. */
function bytes(size: string | undefined): number | undefined {
  if (size === undefined) return undefined;
  const match = /^(\d+)([tgmk]b)?$/.exec(size);
  return match ? Number(match[1]) * UNIT[match[2] ?? '']! : undefined;
}

/** hostRequirements in the units of the provider's plans (MiB of memory, GiB of storage), rounded up. */
export function hostRequirements(json: DevcontainerJson): HostRequirements {
  const req = json.hostRequirements ?? {};
  const memory = bytes(req.memory);
  const storage = bytes(req.storage);
  return {
    cpus: req.cpus,
    memoryMb: memory === undefined ? undefined : Math.ceil(memory / 1024 ** 2),
    storageGb: storage === undefined ? undefined : Math.ceil(storage / 1024 ** 3),
  };
}

/** What `plan` lacks for `req` (e.g. "2 CPUs, needs 4"), or an empty list when it fits. */
export function planShortfalls(req: HostRequirements, plan: Plan): string[] {
  const out: string[] = [];
  if (req.cpus !== undefined && plan.cores < req.cpus) out.push(`${plan.cores} CPU${plan.cores === 1 ? '' : 's'}, needs ${req.cpus}`);
  if (req.memoryMb !== undefined && plan.memoryMb < req.memoryMb) out.push(`${plan.memoryMb} MB of memory, needs ${req.memoryMb}`);
  if (req.storageGb !== undefined && plan.storageGb < req.storageGb) out.push(`${plan.storageGb} GB of storage, needs ${req.storageGb}`);
  return out;
}

/** The smallest plan (fewest cores, then least memory) that meets `req`, to name in the error. */
export function smallestFittingPlan(req: HostRequirements, plans: readonly Plan[]): Plan | undefined {
  return [...plans]
    .filter((plan) => planShortfalls(req, plan).length === 0)
    .sort((a, b) => a.cores - b.cores || a.memoryMb - b.memoryMb || a.storageGb - b.storageGb)[0];
}

/** Cores and memory read from a plan name of the form `NxCPU-MGB` (UpCloud's), or undefined for any other name. */
export function planFromName(name: string): Omit<Plan, 'storageGb'> | undefined {
  const match = /^(\d+)xCPU-(\d+)GB$/.exec(name);
  return match ? { name, cores: Number(match[1]), memoryMb: Number(match[2]) * 1024 } : undefined;
}

export function hasHostRequirements(req: HostRequirements): boolean {
  return req.cpus !== undefined || req.memoryMb !== undefined || req.storageGb !== undefined;
}
