import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { create } from 'tar';
import type { SyncTree } from '../config/content-plan.js';
import { ConfigError } from '../lib/errors.js';
import { linkTargetProblem, treePathProblem } from '../lib/tree-path.js';
import { gitOutput } from './git-local.js';
import { isIgnored, parseSyncignore, type IgnoreRule } from './syncignore.js';

/** The files of a git checkout: tracked and untracked-but-not-ignored ones, relative to `root`. */
async function gitFiles(root: string): Promise<string[] | undefined> {
  if ((await gitOutput(root, ['rev-parse', '--is-inside-work-tree']))?.trim() !== 'true') return undefined;
  const listed = await gitOutput(root, ['ls-files', '--cached', '--others', '--exclude-standard', '-z']);
  if (listed === undefined) return undefined;
  return [...new Set(listed.split('\0').filter((p) => p !== ''))];
}

/** Every file under `root` but `.kamal/` and what `.kamal/syncignore` names (outside a git checkout). */
async function walkFiles(root: string): Promise<string[]> {
  const rules: IgnoreRule[] = parseSyncignore(await readFile(path.join(root, '.kamal', 'syncignore'), 'utf8').catch(() => ''));
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === '.kamal') continue;
      if (isIgnored(rules, child, entry.isDirectory())) continue;
      if (entry.isDirectory()) await walk(child);
      else out.push(child);
    }
  };
  await walk('');
  return out;
}

/**
 * The local working tree as one tar (files and links, no folders of their own; never `.kamal/`): refused, before anything is
 * uploaded, when a path is absolute or climbs out with `..`, or a link points outside the tree.
 */
export async function buildSyncTree(root: string): Promise<SyncTree> {
  const listed = (await gitFiles(root)) ?? (await walkFiles(root));
  const paths: string[] = [];
  for (const file of listed) {
    // .kamal/ holds the state, the hooks and the secrets files: never a workspace's business.
    if (file === '.kamal' || file.startsWith('.kamal/')) continue;
    const problem = treePathProblem(file);
    if (problem) throw new ConfigError(`sync: ${JSON.stringify(file)} ${problem}; nothing was uploaded`);
    const stat = await lstat(path.join(root, file)).catch(() => undefined);
    if (!stat || stat.isDirectory()) continue; // deleted locally but still tracked, or a submodule
    if (stat.isSymbolicLink()) {
      const linkProblem = linkTargetProblem(file, await readlink(path.join(root, file)));
      if (linkProblem) throw new ConfigError(`sync: ${JSON.stringify(file)} ${linkProblem}; nothing was uploaded`);
    } else if (!stat.isFile()) continue;
    paths.push(file);
  }
  const chunks: Buffer[] = [];
  if (paths.length > 0) {
    const stream = create({ cwd: root, portable: true, noDirRecurse: true, follow: false }, paths);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  }
  // Two zero blocks: the end of an empty archive, which tar unpacks to nothing.
  return { tar: chunks.length ? Buffer.concat(chunks) : Buffer.alloc(1024), paths };
}
