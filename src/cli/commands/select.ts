import { StateError, UsageError } from '../../lib/errors.js';
import type { State } from '../../state/schema.js';

/**
 * The workspaces a command acts on: NAME or --all (both or neither is a usage error, exit 2). An unknown
 * NAME fails (exit 1) listing the known ones.
 */
export function selectWorkspaces(state: State, name: string | undefined, all: boolean | undefined, command: string): string[] {
  if (name && all) throw new UsageError(`${command}: give a workspace NAME or --all, not both`);
  if (!name && !all) throw new UsageError(`${command}: give a workspace NAME or --all`, { hint: `kamal-dev ${command} --all` });
  const known = Object.keys(state.deployments);
  if (all) return known;
  if (!known.includes(name!)) {
    throw new StateError(`no workspace named ${name}; known: ${known.join(', ') || '(none)'}`);
  }
  return [name!];
}
