import { workspaceBranch } from '../../config/git-branch.js';
import { AppError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { check, runWithOutput } from '../../remote/check.js';
import type { Executor } from '../../remote/executor.js';
import { runHooks } from '../hooks.js';
import { lifecycleLogEntry } from '../lifecycle-log.js';
import type { ContainerAction } from '../container.js';
import type { Notices } from '../ports.js';
import type { StepReporter } from '../runner.js';
import { appendStdin } from '../../remote/script.js';
import { cloneScript, contentProbe, gitPresent, HAS_CONTENT, installGit, updateScript, UPDATE_LOCAL_CHANGES, UPDATE_NOT_FAST_FORWARD } from './git-scripts.js';
import { dotfilesScript } from './dotfiles.js';
import type { ContentPlan, GitSource } from '../../config/content-plan.js';
import { syncPaths, syncTree } from './sync.js';
import { workspaceExec, type WorkspacePlan } from '../workspace.js';

/** The last lines of git's stderr, for a message (already redacted by the executor when it can). */
function gitMessage(executor: Executor, stderr: string): string {
  const text = (executor.redact?.(stderr) ?? stderr).trim();
  return text.split('\n').slice(-3).join(' | ') || 'no message';
}

async function ensureGit(executor: Executor, step: StepReporter, signal?: AbortSignal): Promise<void> {
  step('git.check');
  const options = signal ? { signal } : {};
  if ((await executor.run(gitPresent, options)).exitCode === 0) return;
  step('git.install');
  const installed = await executor.run(installGit, options);
  if (installed.exitCode !== 0) throw new AppError(`git is not installed on ${executor.host} and apt-get could not install it: ${gitMessage(executor, installed.stderr)}`, ExitCode.failed);
}

/** The env file holds the token the clone or fetch reads; it goes up (0600) before git runs. */
async function uploadEnvFile(executor: Executor, plan: WorkspacePlan, source: GitSource): Promise<void> {
  if (source.tokenKey) await executor.upload(plan.envFilePath, plan.envFileContent.reveal(), 0o600);
}

async function cloneOrUpdate(executor: Executor, plan: WorkspacePlan, content: ContentPlan & { git: GitSource }, step: StepReporter, notices: Notices, signal?: AbortSignal): Promise<void> {
  const source = content.git;
  const options = signal ? { signal } : {};
  // The agent goes to the clone and the fetch only: no other command of the deploy asks for it.
  const gitOptions = source.forwardAgent ? { ...options, forwardAgent: true } : options;
  await ensureGit(executor, step, signal);
  const probe = await executor.run(contentProbe(plan.workspaceDir), options);
  if (probe.exitCode !== HAS_CONTENT) {
    step('git.clone');
    await uploadEnvFile(executor, plan, source);
    const branch = source.branch === undefined ? undefined : workspaceBranch(source.branch, plan);
    const cloned = await executor.run(cloneScript(source, plan.workspaceDir, branch, plan.envFilePath), gitOptions);
    if (cloned.exitCode !== 0) throw new AppError(`git clone of ${source.repository} failed: ${gitMessage(executor, cloned.stderr)}`, ExitCode.failed);
    return;
  }
  if (!content.updateContent) return;
  step('git.update');
  await uploadEnvFile(executor, plan, source);
  const updated = await executor.run(updateScript(source, plan.workspaceDir, plan.envFilePath), gitOptions);
  if (updated.exitCode === UPDATE_LOCAL_CHANGES) return notices.warn(`${plan.name}: local changes in the workspace; not updated`);
  if (updated.exitCode === UPDATE_NOT_FAST_FORWARD) return notices.warn(`${plan.name}: its branch has diverged from ${source.ref ?? 'the remote'}; not a fast-forward, not updated`);
  if (updated.exitCode !== 0) throw new AppError(`git fetch of ${source.repository} failed: ${gitMessage(executor, updated.stderr)}`, ExitCode.failed);
  notices.info(`${plan.name}: ${updated.stdout.trim()}`);
}

/**
 * Before the container: the workspace folder gets its content. A folder that has content is never cloned over
 * (the user's work is there); with --update-content it is fetched and fast-forwarded where it can be. Then,
 * with --sync, the local tree goes up.
 */
export async function prepareContent(executor: Executor, plan: WorkspacePlan, home: string, content: ContentPlan, step: StepReporter, notices: Notices, signal?: AbortSignal): Promise<void> {
  if (content.git) await cloneOrUpdate(executor, plan, { ...content, git: content.git }, step, notices, signal);
  if (content.sync) {
    step('sync.upload');
    const { uploaded, deleted } = await syncTree(executor, content.sync, plan.workspaceDir, syncPaths(home, plan.name), signal);
    notices.verbose(`${plan.name}: synced ${uploaded} files, deleted ${deleted}`);
  }
}

/**
 * After the container: with --update-content, updateContentCommand in a container that was kept (a new one ran
 * it with its create commands); dotfiles in a new container. A dotfiles failure is shown and kept in the
 * lifecycle log; it does not fail the workspace.
 */
export async function finishContent(executor: Executor, plan: WorkspacePlan, content: ContentPlan, action: ContainerAction, step: StepReporter, notices: Notices, signal?: AbortSignal): Promise<void> {
  const options = signal ? { signal } : {};
  if (content.updateContent && action === 'unchanged' && plan.lifecycle.updateContent.length > 0) {
    step('lifecycle.update-content');
    await runHooks(executor, plan, ['updateContent'], signal);
  }
  if (!content.dotfiles || action === 'unchanged') return;
  step('dotfiles.install');
  await executor.upload(plan.remoteEnvFile.path, plan.remoteEnvFile.content.reveal(), 0o600);
  const { exitCode, output } = await runWithOutput(executor, workspaceExec(plan, dotfilesScript(content.dotfiles)), options);
  const text = lifecycleLogEntry(`dotfiles ${content.dotfiles.repository}`, exitCode, output);
  await check(executor, appendStdin(plan.lifecycleLog), { ...options, stdin: text });
  if (exitCode !== 0) notices.warn(`${plan.name}: dotfiles failed (exit ${exitCode}): ${gitMessage(executor, output)}; see kamal-dev logs ${plan.name} --lifecycle`);
}
