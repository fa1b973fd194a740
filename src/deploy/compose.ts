import { composeEngineOf, composeVersionArgv, COMPOSE_PLUGIN, COMPOSE_STANDALONE, noComposeMessage } from '../docker/compose.js';
import { check } from '../remote/check.js';
import type { Executor } from '../remote/executor.js';
import { unpackComposeFiles } from './compose-image.js';
import type { ContainerAction } from './container.js';
import { runHooks } from './hooks.js';
import { inspectContainer } from './inspect.js';
import type { StepReporter } from './runner.js';
import type { WorkspacePlan } from './workspace.js';

/** The VM's Compose: the v2 plugin where Docker has it, else the standalone `docker-compose`, else an error naming both. */
export async function composeEngine(executor: Executor, signal?: AbortSignal): Promise<readonly string[]> {
  for (const command of [COMPOSE_PLUGIN, COMPOSE_STANDALONE]) {
    const answer = await executor.run(composeVersionArgv(command), signal ? { signal } : {});
    const engine = composeEngineOf(command, answer);
    if (engine) return engine.command;
  }
  throw new Error(noComposeMessage(executor.host));
}

/** Replaces the workspace's unpacked compose files with this deploy's, then writes the override and the down script. */
async function uploadProject(executor: Executor, plan: WorkspacePlan, signal?: AbortSignal): Promise<void> {
  const compose = plan.compose!;
  await unpackComposeFiles(executor, compose.bundle, compose.dir, signal);
  await executor.upload(compose.overridePath, compose.overrideContent, 0o600);
  await executor.upload(compose.downScriptPath, compose.downScript, 0o700);
}

/**
 * Makes the workspace's Compose project run this deploy's files: `up` recreates what changed and leaves the
 * rest. The workspace's container counts as created or replaced when `up` gave it a new id; then the create
 * commands run, as for a single container, and postStartCommand after any start.
 */
export async function convergeCompose(
  executor: Executor,
  plan: WorkspacePlan,
  step: StepReporter,
  signal?: AbortSignal,
): Promise<{ action: ContainerAction; ports: Record<string, number> }> {
  const before = await inspectContainer(executor, plan.containerName, signal);
  step('env.upload');
  await executor.upload(plan.envFilePath, plan.envFileContent.reveal(), 0o600);
  step('compose.upload');
  await uploadProject(executor, plan, signal);
  await check(executor, ['mkdir', '-p', plan.workspaceDir], { signal });
  if (plan.compose!.buildOthers) {
    step('compose.build');
    await check(executor, plan.compose!.buildOthers, { signal });
  }
  step('compose.up');
  await check(executor, plan.dockerRun, { signal });
  const after = await inspectContainer(executor, plan.containerName, signal);
  if (!after?.running) throw new Error(`${plan.compose!.service}: its container ${plan.containerName} is not running after \`up\` (see kamal-dev logs ${plan.name})`);
  const action: ContainerAction = !before ? 'created' : before.id !== after.id ? 'replaced' : 'unchanged';
  const { onCreate, updateContent, postCreate, postStart } = plan.lifecycle;
  if (action !== 'unchanged' && onCreate.length + updateContent.length + postCreate.length > 0) {
    step('lifecycle.create');
    await runHooks(executor, plan, ['onCreate', 'updateContent', 'postCreate'], signal);
  }
  if ((action !== 'unchanged' || !before?.running) && postStart.length > 0) {
    step('lifecycle.post-start');
    await runHooks(executor, plan, ['postStart'], signal);
  }
  const ports: Record<string, number> = {};
  for (const port of plan.ports.filter((p) => p.hostPort === undefined)) {
    const published = after.ports.find((p) => p.containerPort === port.containerPort);
    if (published) ports[String(port.containerPort)] = published.hostPort;
  }
  return { action, ports };
}
