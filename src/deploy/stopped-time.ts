import type { Entry } from '../state/schema.js';

/** The entry's keys once its VM is seen stopped (`by` kamal-dev's stop --vm, or found so at the provider). */
export function stoppedSince(entry: Entry, now: Date, by: 'kamal-dev' | 'provider'): Partial<Entry> {
  return entry.vm_stopped_at ? {} : { vm_stopped_at: now.toISOString(), vm_stopped_by: by };
}

/** The entry's keys once its VM runs again: the stopped period is added to `vm_stopped_seconds`. */
export function runningAgain(entry: Entry, now: Date): Partial<Entry> {
  if (!entry.vm_stopped_at) return {};
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(entry.vm_stopped_at)) / 1000));
  return { vm_stopped_at: undefined, vm_stopped_by: undefined, vm_stopped_seconds: (entry.vm_stopped_seconds ?? 0) + seconds };
}
