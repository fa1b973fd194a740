import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliResult } from '../../helpers/cli.js';
import type { LocalCloud, Project } from '../../e2e/local-cloud.js';
import { parseState } from '../../../src/state/read.js';

/** Workspaces with more than one VM at the emulator (by the kamal-dev-workspace label). */
export async function duplicateVms(cloud: LocalCloud): Promise<string[]> {
  const byWorkspace = new Map<string, number>();
  for (const server of await cloud.servers()) {
    const name = server.labels['kamal-dev-workspace'] ?? `(unlabelled ${server.uuid})`;
    byWorkspace.set(name, (byWorkspace.get(name) ?? 0) + 1);
  }
  return [...byWorkspace].filter(([, n]) => n > 1).map(([name, n]) => `${name} x${n}`);
}

/** VMs at the emulator that the state file does not name: VMs the user would pay for without knowing. */
export async function untrackedVms(cloud: LocalCloud, stateFile: string): Promise<string[]> {
  const state = existsSync(stateFile) ? await parseState(readFileSync(stateFile, 'utf8'), stateFile) : { deployments: {} };
  const known = new Set(Object.values(state.deployments).map((e) => e.vm_id));
  return (await cloud.servers()).filter((s) => !known.has(s.uuid)).map((s) => `${s.labels['kamal-dev-workspace'] ?? '?'} ${s.uuid}`);
}

/** 'corrupt: <why>' when the state file is not valid YAML of the state's shape; else 'ok' or 'absent'. */
export async function stateFileHealth(stateFile: string): Promise<string> {
  if (!existsSync(stateFile)) return 'absent';
  try {
    await parseState(readFileSync(stateFile, 'utf8'), stateFile);
    return 'ok';
  } catch (error) {
    return `corrupt: ${(error as Error).message}`;
  }
}

/** Files beside the state file other than it and the secrets files (temporary files, lock folders) left behind. */
export function leftoversBeside(stateFile: string): string[] {
  const dir = path.dirname(stateFile);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f !== path.basename(stateFile) && !f.startsWith('secrets')) : [];
}

export type DeployEnd = 'all-running' | 'clear-per-workspace-errors' | 'clear-error-before-workspaces' | 'unclear';

/** How a deploy ended, judged from its exit code, its stderr and the state it left. */
export function deployEnd(result: CliResult, entries: Record<string, { status: string; error?: string }>, count: number): { end: DeployEnd; why: string } {
  const list = Object.entries(entries);
  const running = list.filter(([, e]) => e.status === 'running');
  const crashed = /^\s+at .+:\d+:\d+\)?$/m.test(result.stderr) || result.stderr.includes('Run again with --verbose for details.');
  if (crashed) return { end: 'unclear', why: `unexpected error: ${result.stderr.slice(-400)}` };
  if (result.code === 0) {
    return running.length === count ? { end: 'all-running', why: '' } : { end: 'unclear', why: `exit 0 but ${running.length}/${count} running` };
  }
  if (result.code !== 1) return { end: 'unclear', why: `exit ${result.code ?? result.signal}` };
  if (list.length === 0) {
    return result.stderr.includes('ERROR: ') ? { end: 'clear-error-before-workspaces', why: '' } : { end: 'unclear', why: 'exit 1, no workspace, no ERROR line' };
  }
  const vague = list.filter(([name, e]) => e.status !== 'running' && (e.status !== 'failed' || !e.error || !result.stderr.includes(name)));
  if (vague.length > 0) return { end: 'unclear', why: `exit 1; not running without a clear error: ${vague.map(([n, e]) => `${n} ${e.status}`).join(', ')}` };
  return { end: 'clear-per-workspace-errors', why: '' };
}

/**
 * `remove --all --force`, killed after `timeoutMs`. kamal-dev can hang after finishing: SshExecutor.close()
 * waits for the TCP close of a connection to a VM that remove has just destroyed. Such a run is reported as
 * `hung` (its work is judged by the state and the emulator), never hidden.
 */
export async function removeAll(project: Project, timeoutMs = 45_000): Promise<{ code: number | null; hung: boolean; stderr: string }> {
  const result = await runCli(['remove', '--all', '--force'], { cwd: project.dir, env: project.env, timeoutMs });
  return { code: result.code, hung: result.signal === 'SIGKILL', stderr: result.stderr };
}
