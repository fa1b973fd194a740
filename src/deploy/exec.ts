import type { Argv } from '../remote/executor.js';
import type { Entry } from '../state/schema.js';
import type { LifecycleDeps } from './ports.js';
import { homeDir } from './remote-steps.js';
import { runEach } from './runner.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';
import { bindWorkspace, workspaceExec, type ServicePlan, type WorkspacePlan } from './workspace.js';
import type { Executor } from '../remote/executor.js';

/** A running workspace as the state records it, with its index for `{index}` and the plan. */
export interface AttachTarget {
  name: string;
  index: number;
  entry: Entry;
}

export interface ExecRow {
  name: string;
  /** null when the command could not be run (the connection failed): `error` says why. */
  exit_code: number | null;
  stdout: string;
  stderr: string;
  duration_ms: number;
  error?: string;
}

/**
 * Connects to the workspace's VM (pinned host key), binds its plan to the SSH user's home there and uploads
 * the remoteEnv file every `docker exec` of the plan reads. What exec, ssh and the ssh-config hosts share.
 */
export async function attach(target: AttachTarget, service: ServicePlan, deps: Pick<LifecycleDeps, 'connector' | 'signal'>): Promise<{ executor: Executor; plan: WorkspacePlan }> {
  const { executor, plan } = await bindOnVm(target, service, deps);
  await executor.upload(plan.remoteEnvFile.path, plan.remoteEnvFile.content.reveal(), 0o600);
  return { executor, plan };
}

/** The connection to the workspace's VM (pinned host key) and its plan bound to the SSH user's home there. */
export async function bindOnVm(target: AttachTarget, service: ServicePlan, deps: Pick<LifecycleDeps, 'connector' | 'signal'>): Promise<{ executor: Executor; plan: WorkspacePlan }> {
  const executor = await connectTo(target, deps);
  return { executor, plan: bindWorkspace(service, { name: target.name, index: target.index, home: await homeDir(executor) }) };
}

/** The connection to the workspace's VM, refusing any host key but the one pinned at deploy. */
export async function connectTo(target: AttachTarget, deps: Pick<LifecycleDeps, 'connector' | 'signal'>): Promise<Executor> {
  const { entry } = target;
  if (!entry.vm_ip) throw new Error('no VM address recorded (deploy it first)');
  return (await deps.connector.connect(entry.vm_ip, entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.attach })).executor;
}

/**
 * `docker exec` of each workspace's own argv in its container, all at once (bounded by `settings.concurrency`),
 * over the one connection per VM of the connector. Output goes to `onOutput` as it comes and into the rows.
 */
export async function execEach(
  targets: readonly AttachTarget[],
  service: ServicePlan,
  argvOf: (target: AttachTarget) => Argv,
  deps: LifecycleDeps,
  onOutput: (name: string, chunk: string, stream: 'stdout' | 'stderr') => void,
): Promise<ExecRow[]> {
  return runEach(targets, deps, {
    run: async (target): Promise<ExecRow> => {
      const { executor, plan } = await attach(target, service, deps);
      const started = performance.now();
      const result = await executor.run(workspaceExec(plan, argvOf(target)), {
        signal: deps.signal,
        onOutput: (chunk, stream) => onOutput(target.name, chunk, stream),
      });
      return { name: target.name, exit_code: result.exitCode, stdout: result.stdout, stderr: result.stderr, duration_ms: Math.round(performance.now() - started) };
    },
    done: (row) => ({ outcome: row.exit_code === 0 ? 'ok' : 'failed', summary: `exit ${row.exit_code}` }),
    failed: (target, failure) => ({ name: target.name, exit_code: null, stdout: '', stderr: '', duration_ms: 0, error: failure.message }),
  });
}
