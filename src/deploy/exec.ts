import { randomUUID } from 'node:crypto';
import { dockerExec, dockerKillMarked, EXEC_MARKER } from '../docker/commands.js';
import { CancelledError } from '../lib/errors.js';
import type { Argv } from '../remote/executor.js';
import { stdinToFileThen } from '../remote/script.js';
import type { Entry } from '../state/schema.js';
import type { LifecycleDeps } from './ports.js';
import { homeDir } from './remote-steps.js';
import { runEach } from './runner.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';
import { readImageFacts } from './image.js';
import { bindWorkspace, execOf, type ServicePlan, type WorkspacePlan } from './workspace.js';
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
  const home = await homeDir(executor);
  // The image's devcontainer.metadata (remoteUser, remoteEnv…) as deploy merged it.
  const facts = await readImageFacts(executor, service.devcontainer.image, deps.signal);
  return { executor, plan: bindWorkspace(service, { name: target.name, index: target.index, home }, facts) };
}

/** The connection to the workspace's VM, refusing any host key but the one pinned at deploy. */
export async function connectTo(target: AttachTarget, deps: Pick<LifecycleDeps, 'connector' | 'signal'>): Promise<Executor> {
  const { entry } = target;
  if (!entry.vm_ip) throw new Error('no VM address recorded (deploy it first)');
  return (await deps.connector.connect(entry.vm_ip, entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.attach })).executor;
}

/** How long the processes of an interrupted exec get to be ended. */
const KILL_TIMEOUT_MS = 10_000;

/**
 * `docker exec` of each workspace's own argv in its container, all at once (bounded by `settings.concurrency`),
 * over the one connection per VM of the connector, one round trip each: the remoteEnv file is written from
 * stdin by the same remote command that runs docker exec. Output goes to `onOutput` as it comes and into the
 * rows. On Ctrl-C every process the command started in the container is ended (docs/commands.md#exec).
 */
export async function execEach(
  targets: readonly AttachTarget[],
  service: ServicePlan,
  argvOf: (target: AttachTarget) => Argv,
  deps: LifecycleDeps,
  onOutput: (name: string, chunk: string, stream: 'stdout' | 'stderr') => void,
): Promise<ExecRow[]> {
  const runId = randomUUID().slice(0, 8);
  return runEach(targets, deps, {
    run: async (target): Promise<ExecRow> => {
      const executor = await connectTo(target, deps);
      // Every SSH command starts in the user's home: the plan's paths are relative to it (no round trip to find it).
      // One more round trip: the image's devcontainer.metadata may set the user and env of commands (remoteUser…).
      const facts = await readImageFacts(executor, service.devcontainer.image, deps.signal);
      const plan = bindWorkspace(service, { name: target.name, index: target.index, home: '.' }, facts);
      const marker = `${runId}-${target.index}`;
      const exec = dockerExec({ ...execOf(plan), env: [[EXEC_MARKER, marker]], argv: argvOf(target) });
      const started = performance.now();
      try {
        const result = await executor.run(stdinToFileThen(plan.remoteEnvFile.path, exec), {
          stdin: plan.remoteEnvFile.content.reveal(),
          signal: deps.signal,
          onOutput: (chunk, stream) => onOutput(target.name, chunk, stream),
        });
        return { name: target.name, exit_code: result.exitCode, stdout: result.stdout, stderr: result.stderr, duration_ms: Math.round(performance.now() - started) };
      } catch (error) {
        if (error instanceof CancelledError) await executor.run(dockerKillMarked(plan.containerName, plan.remoteUser, marker), { signal: AbortSignal.timeout(KILL_TIMEOUT_MS) }).catch(() => undefined);
        throw error;
      }
    },
    done: (row) => ({ outcome: row.exit_code === 0 ? 'ok' : 'failed', summary: `exit ${row.exit_code}` }),
    failed: (target, failure) => ({ name: target.name, exit_code: null, stdout: '', stderr: '', duration_ms: 0, error: failure.message }),
  });
}
