import { createHash } from 'node:crypto';
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
  const pids = withDescendants(roots, all);
  const shimSockets = all.filter((p) => pids.includes(p.pid)).map((p) => shimSocket(p.cmdline)).filter((s): s is string => s !== undefined);
  await terminate(pids, graceMs, graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
  // A shim removes its socket when it exits normally, not when killed.
  await Promise.all(shimSockets.map((socket) => rm(socket, { force: true })));
}

/** The socket containerd-shim-runc-v2 listens on: /run/containerd/s/sha256(<containerd address>/<namespace>/<id>). */
function shimSocket(cmdline: string): string | undefined {
  const match = /containerd-shim-runc-v2 -namespace (\S+) -id (\S+) -address (\S+)/.exec(cmdline);
  if (!match) return undefined;
  return `/run/containerd/s/${createHash('sha256').update(`${match[3]}/${match[1]}/${match[2]}`).digest('hex')}`;
}

/** Processes, mounts, namespaces and links (given by name), then the folder itself. */
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
