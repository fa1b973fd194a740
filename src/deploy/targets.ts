import { indexOfName } from '../config/naming.js';
import type { Entry, State } from '../state/schema.js';

export interface ExistingWorkspace {
  name: string;
  index: number;
  entry: Entry;
}

/** The state's workspaces of `service`, by index: those recorded for it, or (gem entries) named by its pattern. */
export function workspacesOf(state: State, service: string, pattern: string): ExistingWorkspace[] {
  const found: ExistingWorkspace[] = [];
  for (const [name, entry] of Object.entries(state.deployments)) {
    const index = indexOfName(pattern, service, name);
    if (entry.service !== undefined && entry.service !== service) continue;
    if (entry.service === undefined && index === undefined) continue;
    found.push({ name, index: index ?? Number.MAX_SAFE_INTEGER, entry });
  }
  return found.sort((a, b) => a.index - b.index || a.name.localeCompare(b.name));
}

/** Converge like `docker compose up`: keep the first `count` workspaces, create the rest, never drop extras. */
export function selectTargets(existing: readonly ExistingWorkspace[], count: number) {
  return {
    keep: existing.slice(0, count),
    extra: existing.slice(count),
    newCount: Math.max(0, count - existing.length),
  };
}
