import { dockerRemove } from '../docker/commands.js';
import { SPEC_HASH_LABEL } from '../docker/labels.js';
import type { Executor } from '../remote/executor.js';
import { check } from '../remote/check.js';
import { prepareImage } from './image.js';
import { inspectContainer } from './inspect.js';
import { runHooks } from './hooks.js';
import type { StepReporter } from './runner.js';
import type { WorkspacePlan } from './workspace.js';

export type ContainerAction = 'unchanged' | 'created' | 'replaced';

/**
 * Makes the workspace's container run the wanted spec: left alone when it already runs with the same spec
 * hash, otherwise (re)created in place, keeping the workspace folder on the VM. Returns the host ports docker
 * chose for ports published without one (a shared VM).
 */
export async function convergeContainer(
  executor: Executor,
  plan: WorkspacePlan,
  step: StepReporter,
  signal?: AbortSignal,
  /** This run already pulled the image (ensureImage): not pulled again. */
  pulled = false,
): Promise<{ action: ContainerAction; ports: Record<string, number> }> {
  let current = await inspectContainer(executor, plan.containerName, signal);
  let action: ContainerAction = 'unchanged';
  if (!current?.running || current.labels[SPEC_HASH_LABEL] !== plan.specHash) {
    step('env.upload');
    await executor.upload(plan.envFilePath, plan.envFileContent.reveal(), 0o600);
    await prepareImage(executor, plan.image, step, signal, pulled);
    if (current) {
      step('container.replace');
      await check(executor, dockerRemove(plan.containerName), { signal });
    }
    await check(executor, ['mkdir', '-p', plan.workspaceDir], { signal });
    step('container.start');
    await check(executor, plan.dockerRun, { signal });
    const { onCreate, updateContent, postCreate, postStart } = plan.lifecycle;
    if (onCreate.length + updateContent.length + postCreate.length > 0) {
      step('lifecycle.create');
      await runHooks(executor, plan, ['onCreate', 'updateContent', 'postCreate'], signal);
    }
    if (postStart.length > 0) {
      step('lifecycle.post-start');
      await runHooks(executor, plan, ['postStart'], signal);
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
