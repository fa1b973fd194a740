import { posix } from 'node:path';

/**
 * Why `path` (relative, `/`-separated) may not be written into a workspace folder, or undefined when it may:
 * nothing absolute, nothing that climbs out with `..`, nothing empty.
 */
export function treePathProblem(path: string): string | undefined {
  if (path === '' || path === '.') return 'is empty';
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return 'is an absolute path';
  if (path.split(/[\\/]/).includes('..')) return 'climbs out of the folder with ..';
  return undefined;
}

/** Why a symbolic link at `path` pointing at `target` leads outside the tree, or undefined when it stays inside. */
export function linkTargetProblem(path: string, target: string): string | undefined {
  if (target.startsWith('/')) return `is a link to the absolute path ${target}`;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) return `is a link to ${target}, outside the folder`;
  return undefined;
}
