import { localBindWarning } from '../devcontainer/workspace-mounts.js';
import type { Argv, Executor } from '../remote/executor.js';
import { check } from '../remote/check.js';
import type { Notices } from './ports.js';
import type { WorkspacePlan } from './workspace.js';

/**
 * Creates each missing path (`mkdir -p`, as the SSH user) and prints the ones it created; an existing one, a file
 * or a socket as much as a folder, is left alone. The paths are arguments of the script, never part of its text.
 */
export function ensureSourcesCommand(paths: readonly string[]): Argv {
  return ['sh', '-c', 'for p do [ -e "$p" ] || { mkdir -p -- "$p" && printf "%s\\n" "$p"; } || exit 1; done', 'sh', ...paths];
}

/**
 * Before the container is created: docker refuses a bind mount whose source is missing, and a source that is a
 * path of this machine (`${localEnv:HOME}/.ssh`) usually is on the VM. It is created empty, with a warning.
 */
export async function ensureLocalBindSources(executor: Executor, plan: WorkspacePlan, notices: Notices, signal?: AbortSignal): Promise<void> {
  if (plan.localBinds.length === 0) return;
  const created = new Set((await check(executor, ensureSourcesCommand(plan.localBinds.map((bind) => bind.source)), signal ? { signal } : {})).stdout.split('\n'));
  for (const bind of plan.localBinds) if (created.has(bind.source)) notices.warn(`${plan.name}: ${localBindWarning(bind)}`);
}
