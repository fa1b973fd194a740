import { dockerPull, dockerRemove } from '../docker/commands.js';
import { SPEC_HASH_LABEL } from '../docker/labels.js';
import type { Executor } from '../remote/executor.js';
import { inspectContainer } from './inspect.js';
// eslint-disable-next-line no-restricted-imports -- layer violation, fixed by the middle-layer refactor
import { check } from '../remote/check.js';
import type { LifecycleGroup, WorkspacePlan } from './workspace.js';

export type ContainerAction = 'unchanged' | 'created' | 'replaced';

/** Runs groups one after another, the commands of a group in parallel; the first failure fails the step. */
export async function runGroups(executor: Executor, groups: readonly LifecycleGroup[], signal?: AbortSignal): Promise<void> {
  for (const group of groups) {
    await Promise.all(group.map(({ argv }) => check(executor, argv, { signal })));
  }
}

/**
 * Makes the workspace's container run the wanted spec: left alone when it already runs with the same spec
 * hash, otherwise (re)created in place, keeping the workspace folder on the VM. Returns the host ports docker
 * chose for ports published without one (a shared VM).
 */
export async function convergeContainer(
  executor: Executor,
  plan: WorkspacePlan,
  onStep: (step: string) => void,
  signal?: AbortSignal,
): Promise<{ action: ContainerAction; ports: Record<string, number> }> {
  let current = await inspectContainer(executor, plan.containerName, signal);
  let action: ContainerAction = 'unchanged';
  if (!current?.running || current.labels[SPEC_HASH_LABEL] !== plan.specHash) {
    onStep('uploading env file');
    await executor.upload(plan.envFilePath, plan.envFileContent.reveal(), 0o600);
    onStep(`pulling ${plan.image}`);
    await check(executor, dockerPull(plan.image), { signal });
    if (current) {
      onStep('removing the old container');
      await check(executor, dockerRemove(plan.containerName), { signal });
    }
    await check(executor, ['mkdir', '-p', plan.workspaceDir], { signal });
    onStep('starting container');
    await check(executor, plan.dockerRun, { signal });
    const { onCreate, updateContent, postCreate, postStart } = plan.lifecycle;
    const create = [...onCreate, ...updateContent, ...postCreate];
    if (create.length > 0) {
      onStep('running create commands');
      await runGroups(executor, create, signal);
    }
    if (postStart.length > 0) {
      onStep('running postStartCommand');
      await runGroups(executor, postStart, signal);
    }
    action = current ? 'replaced' : 'created';
    current = await inspectContainer(executor, plan.containerName, signal);
  }
  const ports: Record<string, number> = {};
  for (const port of plan.ports.filter((p) => p.hostPort === undefined)) {
    const published = current?.ports.find((p) => p.containerPort === port.containerPort);
    if (published) ports[String(port.containerPort)] = published.hostPort;
  }
  return { action, ports };
}
