import type { HourlyRates } from '../providers/provider.js';
import type { Entry } from '../state/schema.js';

export interface WorkspaceCost {
  currency: string;
  /** Per hour now, in currency units: the started or stopped rate (0 when the VM is gone). */
  hourly: number;
  /** Since `deployed_at`, in currency units to 1/1000 of a cent; null when never deployed. */
  since_deploy: number | null;
}

const MICRO_PER_UNIT = 100 * 1_000_000;

/** The seconds the VM has been stopped since deploy, as the state recorded them (docs/costs.md#in-status). */
export function stoppedSeconds(entry: Entry, now: Date): number {
  const current = entry.vm_stopped_at ? Math.max(0, (now.getTime() - Date.parse(entry.vm_stopped_at)) / 1000) : 0;
  return (entry.vm_stopped_seconds ?? 0) + current;
}

/**
 * What a workspace costs now and has cost since deploy, prorated by the second: started time at the started
 * rate, recorded stops at the stopped rate. Exact in micro-cents until the one division at the end.
 */
export function workspaceCost(entry: Entry, vmState: string, rates: HourlyRates, now: Date): WorkspaceCost {
  const gone = vmState === 'missing' || vmState === 'none';
  const nowMicro = gone ? 0 : vmState === 'stopped' ? rates.stoppedMicroCents : rates.startedMicroCents;
  let sinceDeploy: number | null = null;
  if (entry.deployed_at) {
    const elapsed = Math.max(0, Math.floor((now.getTime() - Date.parse(entry.deployed_at)) / 1000));
    const stopped = Math.min(elapsed, Math.floor(stoppedSeconds(entry, now)));
    const micro = Math.round(((elapsed - stopped) * rates.startedMicroCents + stopped * rates.stoppedMicroCents) / 3600);
    sinceDeploy = Math.round(micro / 1000) / 100_000;
  }
  return { currency: rates.currency, hourly: nowMicro / MICRO_PER_UNIT, since_deploy: sinceDeploy };
}
