import { AppError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { treePathProblem } from '../../lib/tree-path.js';
import { check } from '../../remote/check.js';
import type { Executor } from '../../remote/executor.js';
import type { SyncTree } from '../../config/content-plan.js';

export interface SyncPaths {
  /** The tar, uploaded (0600), unpacked, then deleted. */
  tar: string;
  /** The paths the last sync uploaded, NUL-separated: what a later sync deletes when they are gone locally. */
  manifest: string;
}

/** Where a workspace's sync files live on the VM, beside its env file (outside the workspace folder: git status stays clean). */
export function syncPaths(home: string, workspace: string): SyncPaths {
  return { tar: `${home}/.kamal-dev/sync/${workspace}.tar`, manifest: `${home}/.kamal-dev/sync/${workspace}.manifest` };
}

/** The paths of the last sync that are not in this one: deleted locally since. Only safe relative paths. */
export function deletedSince(previous: readonly string[], current: readonly string[]): string[] {
  const now = new Set(current);
  return previous.filter((path) => !now.has(path) && treePathProblem(path) === undefined);
}

/** NUL-separated manifest text to paths (an empty or missing manifest: none). */
export function parseManifest(text: string): string[] {
  return text.split('\0').filter((path) => path !== '');
}

/** Unpacks the uploaded tar into the folder, removes the paths on stdin (NUL-separated) there, drops the tar. */
export function unpackScript(dir: string, tar: string): string[] {
  return [
    'sh',
    '-c',
    'set -e; mkdir -p "$1"; tar -xf "$2" -C "$1" --no-same-owner; cd "$1"; xargs -0 -r rm -f --; rm -f "$2"',
    'sh',
    dir,
    tar,
  ];
}

/**
 * Uploads the tree as one tar over SFTP and unpacks it in the workspace folder; files a previous sync uploaded
 * that are gone locally are deleted there; the manifest is then rewritten. Nothing outside `dir` is written:
 * the tree's paths were checked when it was built, and the deletions are checked again here.
 */
export async function syncTree(executor: Executor, tree: SyncTree, dir: string, paths: SyncPaths, signal?: AbortSignal): Promise<{ uploaded: number; deleted: number }> {
  const bad = tree.paths.find((path) => treePathProblem(path) !== undefined);
  if (bad !== undefined) throw new AppError(`sync: ${JSON.stringify(bad)} ${treePathProblem(bad)}; nothing was uploaded`, ExitCode.failed);
  const options = signal ? { signal } : {};
  const previous = parseManifest((await executor.run(['sh', '-c', 'cat "$1" 2>/dev/null || true', 'sh', paths.manifest], options)).stdout);
  const deleted = deletedSince(previous, tree.paths);
  await executor.upload(paths.tar, tree.tar, 0o600);
  await check(executor, unpackScript(dir, paths.tar), { ...options, stdin: deleted.map((path) => `${path}\0`).join('') });
  await executor.upload(paths.manifest, tree.paths.map((path) => `${path}\0`).join(''), 0o600);
  return { uploaded: tree.paths.length, deleted: deleted.length };
}
