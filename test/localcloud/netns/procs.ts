import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { sleep } from '../../../src/lib/sleep.js';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: tells a live process from a later one with the same pid. */
  startTime: number;
  cmdline: string;
  /** Inode of the network namespace, as in `net:[4026531992]`. */
  netns: string;
}

function readStat(pid: number): { ppid: number; startTime: number; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), startTime: Number(fields[19]), zombie: fields[0] === 'Z' };
  } catch {
    return undefined;
  }
}

export function processStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/** True while the process runs (a zombie counts as ended); with startTime, only if it is that same process. */
export function isAlive(pid: number, startTime?: number): boolean {
  const stat = readStat(pid);
  if (!stat || stat.zombie) return false;
  return startTime === undefined || stat.startTime === startTime;
}

export function listProcesses(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = readStat(pid);
    if (!stat || stat.zombie) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const netns = readlinkSync(`/proc/${pid}/ns/net`);
      result.push({ pid, ppid: stat.ppid, startTime: stat.startTime, cmdline, netns });
    } catch {
      // the process ended while being read
    }
  }
  return result;
}

/** The given processes and everything they started (containers are children of their shims). */
export function withDescendants(roots: Iterable<number>, all: ProcessInfo[] = listProcesses()): number[] {
  const found = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found].filter((pid) => pid > 1 && pid !== process.pid);
}

export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Waits until none of the processes is alive; false when the deadline passed first. */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((pid) => isAlive(pid))) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Sends `first` (SIGTERM by default), waits up to graceMs, then SIGKILLs what is left and waits for it. */
export async function terminate(pids: number[], graceMs: number, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const live = pids.filter((pid) => isAlive(pid));
  if (live.length === 0) return;
  for (const pid of live) signal(pid, first);
  if (first !== 'SIGKILL' && (await waitForExit(live, graceMs))) return;
  for (const pid of live) signal(pid, 'SIGKILL');
  if (!(await waitForExit(live, 10_000))) throw new Error(`processes did not exit after SIGKILL: ${live.join(', ')}`);
}
