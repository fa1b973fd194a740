import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/** The file inside the lock directory that names its holder, written as the directory is made. */
export const OWNER_FILE = 'owner.json';

export interface Owner {
  pid: number;
  host: string;
  since: string;
  /** Tells this acquisition apart from a later one by a process with the same pid. */
  token: string;
}

/** What a waiter sees of a lock directory. `identity` is the one file in it (the owner file, or a breaker's claim). */
export interface Holder {
  owner: Owner | undefined;
  identity: { name: string; text: string } | undefined;
  mtimeMs: number;
}

export function newOwner(): Owner {
  return { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
}

function parseOwner(text: string): Owner | undefined {
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string' && typeof value.token === 'string') {
      return value as Owner;
    }
  } catch {
    // a holder still writing its owner file, or killed while writing it: unknown holder
  }
  return undefined;
}

/** Whether `pid` runs on this host. A zombie (killed, not yet reaped) counts as dead. */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return true;
  }
}

/** The lock directory's holder, or undefined when there is no lock. */
export async function inspectLock(dir: string): Promise<Holder | undefined> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(dir)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const names = await readdir(dir).catch(() => [] as string[]);
  const name = names.includes(OWNER_FILE) ? OWNER_FILE : names[0];
  const text = name === undefined ? undefined : await readFile(path.join(dir, name), 'utf8').catch(() => undefined);
  if (name === undefined || text === undefined) return { owner: undefined, identity: undefined, mtimeMs };
  return { owner: name === OWNER_FILE ? parseOwner(text) : undefined, identity: { name, text }, mtimeMs };
}

/** Why the lock may be taken from its holder: the holder died (same host), or it stopped refreshing the lock. */
export function abandonment(holder: Holder, staleMs: number, now = Date.now()): 'dead' | 'stale' | undefined {
  if (holder.owner && holder.owner.host === hostname() && !isAlive(holder.owner.pid)) return 'dead';
  if (holder.mtimeMs < now - staleMs) return 'stale';
  return undefined;
}

/**
 * Removes an abandoned lock directory, safely against other waiters doing the same: renaming the identity file
 * to a claim of our own succeeds for one process only; the winner checks that it claimed the content it judged
 * (else it puts the file back) and then moves the whole directory away. While the claim file is inside, nobody
 * else can remove the directory (rmdir fails on a non-empty directory). Returns false when someone else won.
 */
export async function breakLock(dir: string, identity: { name: string; text: string }): Promise<boolean> {
  const claim = `broken-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path.join(dir, identity.name), path.join(dir, claim));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if ((await readFile(path.join(dir, claim), 'utf8')) !== identity.text) {
    await rename(path.join(dir, claim), path.join(dir, identity.name));
    return false;
  }
  const grave = `${dir}.${claim}`;
  await rename(dir, grave);
  await rm(grave, { recursive: true, force: true });
  return true;
}
