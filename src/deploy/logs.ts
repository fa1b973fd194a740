import { dockerLogs } from '../docker/commands.js';
import { composeServiceContainer } from '../docker/compose.js';
import { UsageError } from '../lib/errors.js';
import { quoteArgv } from '../remote/quote.js';
import type { Argv } from '../lib/argv.js';
import { bindOnVm, type AttachTarget } from './exec.js';
import type { LifecycleDeps } from './ports.js';
import type { ServicePlan, WorkspacePlan } from './workspace.js';

export interface LogRequest {
  follow: boolean;
  tail: number | undefined;
  since: string | undefined;
  lifecycle: boolean;
  /** Compose: another service of the workspace's project. */
  service?: string | undefined;
}

/** `--service` names a service of the workspace's compose files (checked before connecting). */
export function checkLogService(service: ServicePlan, name: string | undefined): void {
  if (name === undefined) return;
  const compose = service.devcontainer.compose;
  if (!compose) throw new UsageError('logs: --service works only for a Docker Compose workspace (dockerComposeFile in devcontainer.json)');
  if (!compose.services.includes(name)) throw new UsageError(`logs: --service "${name}" is not a service of ${compose.files.join(', ')}; services there: ${compose.services.join(', ')}`);
}

/** `docker logs …`, or `tail` of the lifecycle log (all of it unless `-n`). */
export function logsArgv(plan: WorkspacePlan, r: LogRequest): Argv {
  if (!r.lifecycle && r.service !== undefined && plan.compose && r.service !== plan.compose.service) {
    // The service's container is found by its Compose labels: its name differs between v1 and v2.
    const logs = quoteArgv(dockerLogs({ container: '', follow: r.follow, tail: r.tail, since: r.since }).slice(0, -1));
    const find = quoteArgv(composeServiceContainer(plan.compose.project, r.service));
    return ['sh', '-c', `c=$(${find} | head -n 1); [ -n "$c" ] || { echo "no container of service $0 in the project" >&2; exit 1; }; exec ${logs} "$c"`, r.service];
  }
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
