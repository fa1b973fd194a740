import type { Argv, Executor } from '../remote/executor.js';
import { inspectContainer } from './inspect.js';
import type { WorkspaceRun } from './ports.js';

export const SPEC_HASH_LABEL = 'kamal-dev.spec-hash';
import { check } from './remote-steps.js';

export type ContainerAction = 'unchanged' | 'created' | 'replaced';

/** Runs groups one after another, the commands of a group in parallel; the first failure fails the step. */
export async function runGroups(executor: Executor, groups: readonly Argv[][], signal?: AbortSignal): Promise<void> {
  for (const group of groups) {
    await Promise.all(group.map((argv) => check(executor, argv, signal)));
  }
}

/** The host port docker chose for a container port (`docker port NAME PORT` prints `0.0.0.0:49153`). */
async function publishedPort(executor: Executor, container: string, port: number): Promise<number | undefined> {
  const out = await check(executor, ['docker', 'port', container, `${port}/tcp`]);
  const match = /:(\d+)\s*$/m.exec(out.split('\n')[0] ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Makes the workspace's container run the wanted spec: left alone when it already runs with the same spec
 * hash, otherwise (re)created in place, keeping the workspace folder on the VM.
 */
export async function convergeContainer(
  executor: Executor,
  run: WorkspaceRun,
  onStep: (step: string) => void,
  signal?: AbortSignal,
): Promise<{ action: ContainerAction; ports: Record<string, number> }> {
  const current = await inspectContainer(executor, run.containerName, signal);
  let action: ContainerAction = 'unchanged';
  if (!current?.running || current.labels[SPEC_HASH_LABEL] !== run.specHash) {
    onStep('uploading env file');
    await executor.upload(run.envFile.path, run.envFile.content, 0o600);
    onStep(`pulling ${run.image}`);
    await check(executor, ['docker', 'pull', run.image], signal);
    if (current) {
      onStep('removing the old container');
      await check(executor, ['docker', 'rm', '-f', run.containerName], signal);
    }
    await check(executor, ['mkdir', '-p', run.workspaceDir], signal);
    onStep('starting container');
    await check(executor, run.dockerRun, signal);
    if (run.onCreate.length > 0) {
      onStep('running create commands');
      await runGroups(executor, run.onCreate, signal);
    }
    if (run.postStart.length > 0) {
      onStep('running postStartCommand');
      await runGroups(executor, run.postStart, signal);
    }
    action = current ? 'replaced' : 'created';
  }
  const ports: Record<string, number> = {};
  for (const port of run.dynamicPorts) {
    const host = await publishedPort(executor, run.containerName, port);
    if (host !== undefined) ports[String(port)] = host;
  }
  return { action, ports };
}
