import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * The file inside the lock directory that names its holder, written as the directory is made. Its name carries
 * a random token of this acquisition, so a file judged abandoned can never be confused with a later holder's.
 */
const OWNER_FILE = /^owner-[0-9a-f]{16}\.json$/;

export interface Owner {
  pid: number;
  host: string;
  since: string;
}

/** A new acquisition: its owner file's name and text. */
export function newOwner(): { file: string; text: string } {
  const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  return { file: `owner-${randomBytes(8).toString('hex')}.json`, text: `${JSON.stringify(owner)}\n` };
}

/** What a waiter sees of a lock directory. `identity` names the one file in it (an owner file, or a breaker's claim). */
export interface Holder {
  owner: Owner | undefined;
  identity: string | undefined;
  mtimeMs: number;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string') return value as Owner;
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
  const ownerFile = names.find((name) => OWNER_FILE.test(name));
  const text = ownerFile === undefined ? undefined : await readFile(path.join(dir, ownerFile), 'utf8').catch(() => undefined);
  return { owner: text === undefined ? undefined : parseOwner(text), identity: ownerFile ?? names[0], mtimeMs };
}

/** Why the lock may be taken from its holder: the holder died (same host), or it stopped refreshing the lock. */
export function abandonment(holder: Holder, staleMs: number, now = Date.now()): 'dead' | 'stale' | undefined {
  if (holder.owner && holder.owner.host === hostname() && !isAlive(holder.owner.pid)) return 'dead';
  if (holder.mtimeMs < now - staleMs) return 'stale';
  return undefined;
}

/**
 * Removes an abandoned lock directory whose identity file is `identity`, safely against other waiters doing
 * the same: renaming that file to a claim of our own succeeds for one process only, and only while it is still
 * there (a later holder's owner file has another name). While the claim is inside, nobody else can remove the
 * directory (rmdir fails on a non-empty directory), so the winner moves it away whole. False when someone else won.
 */
export async function breakLock(dir: string, identity: string): Promise<boolean> {
  const claim = `broken-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path.join(dir, identity), path.join(dir, claim));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const grave = `${dir}.${claim}`;
  await rename(dir, grave);
  await rm(grave, { recursive: true, force: true });
  return true;
}
