import { rm, stat } from 'node:fs/promises';
import { unmountUnder } from './mounts.js';
import { deleteLink, deleteNetns, listLinks, listNetns } from './network.js';
import { listProcesses, terminate, withDescendants } from './procs.js';

/** The `net:[inode]` of a named network namespace, as /proc/<pid>/ns/net reads for its processes. */
async function netnsId(name: string): Promise<string | undefined> {
  try {
    return `net:[${(await stat(`/var/run/netns/${name}`)).ino}]`;
  } catch {
    return undefined;
  }
}

/**
 * Ends every process that belongs to `dir` or to the namespaces: those whose command line names a path under
 * dir (dockerd, containerd, shims, sshd, registry), those inside the namespaces (SSH sessions, docker-proxy),
 * and everything they started (containers).
 */
export async function killProcesses(dir: string, namespaces: string[], graceMs: number): Promise<void> {
  const ids = new Set((await Promise.all(namespaces.map(netnsId))).filter((id): id is string => id !== undefined));
  const all = listProcesses();
  const roots = all.filter((p) => p.cmdline.includes(`${dir}/`) || ids.has(p.netns)).map((p) => p.pid);
  await terminate(withDescendants(roots, all), graceMs, graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
}

/** Processes, mounts, namespaces and links whose names start with `prefix`, then the folder itself. */
export async function sweep(options: { dir: string; namespaces: string[]; links: string[]; graceMs: number }): Promise<void> {
  await killProcesses(options.dir, options.namespaces, options.graceMs);
  await unmountUnder(options.dir);
  for (const name of options.namespaces) await deleteNetns(name);
  for (const name of options.links) await deleteLink(name);
  await rm(options.dir, { recursive: true, force: true });
}

/** Everything of an instance (by its name prefix): used for a dead owner's leftovers and as close()'s last sweep. */
export async function sweepInstance(prefix: string, dir: string, graceMs: number): Promise<void> {
  const namespaces = (await listNetns()).filter((name) => name.startsWith(`${prefix}-`));
  const links = (await listLinks()).filter((name) => name.startsWith(prefix));
  await sweep({ dir, namespaces, links, graceMs });
}
