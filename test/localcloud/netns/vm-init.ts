import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { sleep } from '../../../src/lib/sleep.js';
import { isAlive } from './procs.js';
import { spawnDaemon } from './spawn.js';
import { etcSshDir } from './sshd.js';

/**
 * The VM's first process: in the VM's network namespace, it makes a mount and a UTS namespace of its own,
 * bind-mounts the VM's /root, /tmp and /etc/ssh (its host keys) over the host's, sets the VM's hostname, then waits. sshd and dockerd
 * join its namespaces, so files kamal-dev puts in ~ (env files, workspaces) and bind mounts of containers stay
 * per VM, and the mounts dockerd makes (data root, overlays) live and die with the VM instead of the host.
 * Propagation is `slave`: the host's mounts are seen, the VM's are not seen by the host.
 */
const INIT_SCRIPT = 'mount --bind "$1" /root && mount --bind "$2" /tmp && mount --bind "$5" /etc/ssh && hostname "$3" && : > "$4" && while :; do sleep 3600; done';

/** The kernel takes up to 64 characters; an API hostname that does not fit (or is odd) gives way to the namespace name. */
function kernelHostname(hostname: string, fallback: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(hostname) ? hostname : fallback;
}

export interface VmInit {
  pid: number;
  /** nsenter arguments that put a command into the VM: its network, mount and UTS namespaces. */
  enter: string[];
}

export async function startVmInit(dir: string, netns: string, hostname: string): Promise<VmInit> {
  await mkdir(`${dir}/root`, { recursive: true, mode: 0o700 });
  await mkdir(`${dir}/tmp`, { recursive: true });
  await chmod(`${dir}/tmp`, 0o1777);
  await mkdir(etcSshDir(dir), { recursive: true, mode: 0o755 });
  const ready = `${dir}/init.ready`;
  await rm(ready, { force: true });
  const log = `${dir}/init.log`;
  const pid = spawnDaemon(
    'nsenter',
    [
      `--net=/var/run/netns/${netns}`,
      ...['unshare', '--mount', '--uts', '--propagation', 'slave'],
      ...['/bin/sh', '-c', INIT_SCRIPT, 'vm-init', `${dir}/root`, `${dir}/tmp`, kernelHostname(hostname, netns), ready, etcSshDir(dir)],
    ],
    log,
  );
  const deadline = Date.now() + 10_000;
  while (!existsSync(ready)) {
    if (!isAlive(pid) || Date.now() > deadline) {
      throw new Error(`the init of ${netns} did not start: ${(await readFile(log, 'utf8').catch(() => '')).trim()}`);
    }
    await sleep(20);
  }
  return { pid, enter: [`--net=/var/run/netns/${netns}`, `--mount=/proc/${pid}/ns/mnt`, `--uts=/proc/${pid}/ns/uts`] };
}
