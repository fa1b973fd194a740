import type { Entry } from '../state/schema.js';

export interface StaleFilter {
  /** Deployed longer ago than this (an entry never deployed is not stale by age). */
  olderThanSeconds?: number;
  /** Its container or its VM stopped. */
  stopped?: boolean;
}

/** The workspaces `remove --older-than/--stopped` removes: those that meet every filter given (docs/commands.md#remove). */
export function staleWorkspaces(deployments: Record<string, Entry>, filter: StaleFilter, now: Date): string[] {
  return Object.entries(deployments)
    .filter(([, entry]) => {
      if (filter.stopped && entry.status !== 'stopped' && !entry.vm_stopped_at) return false;
      if (filter.olderThanSeconds !== undefined) {
        const deployed = entry.deployed_at ? Date.parse(entry.deployed_at) : NaN;
        if (!(now.getTime() - deployed > filter.olderThanSeconds * 1000)) return false;
      }
      return true;
    })
    .map(([name]) => name);
}
