import { dockerLogs } from '../docker/commands.js';
import type { Argv } from '../lib/argv.js';
import { bindOnVm, type AttachTarget } from './exec.js';
import type { LifecycleDeps } from './ports.js';
import type { ServicePlan, WorkspacePlan } from './workspace.js';

export interface LogRequest {
  follow: boolean;
  tail: number | undefined;
  since: string | undefined;
  lifecycle: boolean;
}

/** `docker logs …`, or `tail` of the lifecycle log (all of it unless `-n`). */
export function logsArgv(plan: WorkspacePlan, r: LogRequest): Argv {
  if (!r.lifecycle) return dockerLogs({ container: plan.containerName, follow: r.follow, tail: r.tail, since: r.since });
  return ['tail', '-n', r.tail === undefined ? '+1' : String(r.tail), ...(r.follow ? ['-f'] : []), plan.lifecycleLog];
}

/** Streams the log to `onOutput` until it ends (or Ctrl-C, with `follow`); resolves with the remote exit code. */
export async function streamLogs(
  target: AttachTarget,
  service: ServicePlan,
  r: LogRequest,
  deps: Pick<LifecycleDeps, 'connector' | 'signal'>,
  onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void,
): Promise<number> {
  const { executor, plan } = await bindOnVm(target, service, deps);
  return (await executor.run(logsArgv(plan, r), { signal: deps.signal, onOutput })).exitCode;
}
