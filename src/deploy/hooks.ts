import { commandError, runWithOutput } from '../remote/check.js';
import type { Executor } from '../remote/executor.js';
import { appendStdin } from '../remote/script.js';
import { lifecycleLogEntry } from './lifecycle-log.js';
import { HOOK_NAMES, type WorkspaceLifecycle, type WorkspacePlan } from './workspace.js';

export type Hook = keyof WorkspaceLifecycle;

/**
 * Runs the hooks' commands in the container, in order: the groups of a hook one after another, the commands of a
 * group in parallel; the first failure fails the step. remoteEnv goes up first as the env file every exec reads,
 * and each command's output (stdout and stderr as they came) is appended to the workspace's lifecycle log.
 */
export async function runHooks(executor: Executor, plan: WorkspacePlan, hooks: readonly Hook[], signal?: AbortSignal): Promise<void> {
  const todo = hooks.filter((hook) => plan.lifecycle[hook].length > 0);
  if (todo.length === 0) return;
  await executor.upload(plan.remoteEnvFile.path, plan.remoteEnvFile.content.reveal(), 0o600);
  for (const hook of todo) {
    for (const group of plan.lifecycle[hook]) {
      const runs = await Promise.all(
        group.map(async ({ name, argv }) => {
          const result = await runWithOutput(executor, argv, signal ? { signal } : {});
          const title = `${HOOK_NAMES[hook]}${name === undefined ? '' : ` ${name}`}`;
          return { argv, result, text: lifecycleLogEntry(title, result.exitCode, result.output) };
        }),
      );
      await executor.run(appendStdin(plan.lifecycleLog), { stdin: runs.map((r) => r.text).join(''), ...(signal ? { signal } : {}) });
      const failed = runs.find((r) => r.result.exitCode !== 0);
      if (failed) throw commandError(executor, failed.argv, failed.result);
    }
  }
}
