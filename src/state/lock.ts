import fs from 'node:fs';
import { access, unlink } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { LockHeldError, StateError } from '../lib/errors.js';
import { backoffDelay, sleep } from '../lib/sleep.js';
import { abandonment, breakLock, inspectLock, newOwner, type Holder, type Owner } from './lock-owner.js';
import { lockPath } from './paths.js';

export interface LockTiming {
  /** How long to wait for another process's lock before LockHeldError. */
  waitMs: number;
  /** A lock directory untouched for this long is abandoned; its holder refreshes it every staleMs / 2. */
  staleMs: number;
  signal?: AbortSignal | undefined;
  /** What the lock guards, for messages ("state lock", "deploy lock"). Default "state lock". */
  name?: string;
  /** Longest pause between two attempts (default 25 ms; a lock held for minutes needs no faster look). */
  maxPollMs?: number;
  /** Called once, when the lock is first found held by a live process. */
  onWait?: (holder: Owner | undefined) => void;
}

export interface HeldLock {
  /** False once the lock was lost (not refreshed in time, or taken over): then nothing may be written. */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

/** Owner files of the locks this process holds, removed with their lock if the process exits mid-update. */
const held = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const ownerFile of held) {
      try {
        fs.unlinkSync(ownerFile);
        fs.rmdirSync(path.dirname(ownerFile));
      } catch {
        // the next process recovers the lock: its holder's pid is dead
      }
    }
  });
}

/** proper-lockfile's fs with a mkdir that also writes the owner file, before the lock's mtime is taken. */
function fsWritingOwner(owner: { file: string; text: string }) {
  return {
    ...fs,
    mkdir(dir: string, callback: (error: NodeJS.ErrnoException | null) => void) {
      fs.mkdir(dir, (error) => {
        if (error) return callback(error);
        fs.writeFile(path.join(dir, owner.file), owner.text, { flag: 'wx', mode: 0o600 }, (writeError) => {
          if (!writeError) return callback(null);
          fs.rmdir(dir, () => callback(writeError));
        });
      });
    },
  };
}

/** `process 123 on host (since …)`, or "another process" when the owner file cannot be read. */
export function describeHolder(owner: Owner | undefined): string {
  return owner ? `process ${owner.pid} on ${owner.host} (since ${owner.since})` : 'another process';
}

function lockHeld(name: string, dir: string, holder: Holder | undefined): LockHeldError {
  const owner = holder?.owner;
  const check = owner ? `If process ${owner.pid} is no longer running kamal-dev` : 'If no kamal-dev is running';
  return new LockHeldError(`the ${name} ${dir} is held by ${describeHolder(owner)}`, {
    hint: `Wait for it to finish and run again. ${check}, the lock is stale: clear it with \`rm -r ${dir}\`.`,
  });
}

async function breakAbandoned(dir: string, identity: string): Promise<boolean> {
  try {
    return await breakLock(dir, identity);
  } catch (error) {
    throw new StateError(`${dir}: cannot clear an abandoned state lock: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * One attempt: the lock, or whether it is held (fresh) or looked stale to proper-lockfile. With `quick`, a lock
 * directory that exists is taken as held without asking proper-lockfile (most attempts of a waiter find it so).
 */
async function tryLock(stateFile: string, dir: string, staleMs: number, quick: boolean): Promise<HeldLock | 'held' | 'stale'> {
  if (quick && (await access(dir).then(() => true, () => false))) return 'held';
  const owner = newOwner();
  let compromised = false;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(stateFile, {
      lockfilePath: dir,
      realpath: false,
      stale: staleMs,
      retries: 0,
      fs: fsWritingOwner(owner),
      onCompromised: () => {
        compromised = true;
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOCKED') return 'held';
    // proper-lockfile found the lock stale but cannot rmdir it: the owner file is inside
    if (code === 'ENOTEMPTY') return 'stale';
    throw new StateError(`${dir}: cannot take the state lock: ${(error as Error).message}`, { cause: error });
  }
  const ownerFile = path.join(dir, owner.file);
  installExitHook();
  held.add(ownerFile);
  const ours = () => access(ownerFile).then(() => true, () => false);
  return {
    stillHeld: async () => !compromised && (await ours()),
    // Never throws: a lock left behind (owner file of a pid that has exited) is recovered by the next process.
    release: async () => {
      held.delete(ownerFile);
      if (!(await ours())) return;
      await unlink(ownerFile).catch(() => undefined);
      await (compromised ? fs.promises.rmdir(dir) : release()).catch(() => undefined);
    },
  };
}

/** How often a waiter looks at who holds the lock (and whether the holder died). */
const INSPECT_EVERY_MS = 100;

/**
 * Takes the lock of `stateFile` (a directory made by proper-lockfile, with an owner file naming the holder).
 * A lock of a dead holder on this host is taken over at once, any other after `staleMs` without refresh.
 */
export async function acquireLock(stateFile: string, timing: LockTiming): Promise<HeldLock> {
  const dir = lockPath(stateFile);
  const staleMs = Math.max(timing.staleMs, 2000);
  const deadline = Date.now() + timing.waitMs;
  let nextInspection = 0;
  let quick = true;
  let waitReported = false;
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await tryLock(stateFile, dir, staleMs, quick);
    if (typeof outcome === 'object') return outcome;
    const now = Date.now();
    quick = true;
    if (outcome === 'stale' || now >= nextInspection || now >= deadline) {
      nextInspection = now + INSPECT_EVERY_MS;
      const holder = await inspectLock(dir);
      const abandoned = holder !== undefined && abandonment(holder, staleMs) !== undefined;
      if (abandoned && holder.identity && (await breakAbandoned(dir, holder.identity))) continue;
      // an empty stale directory (its holder died before writing the owner file): proper-lockfile removes it
      if (abandoned && !holder.identity) quick = false;
      if (holder && !abandoned && !waitReported) {
        waitReported = true;
        timing.onWait?.(holder.owner);
      }
      if (holder && !abandoned && now >= deadline) throw lockHeld(timing.name ?? 'state lock', dir, holder);
    }
    const delay = backoffDelay(attempt, 2, timing.maxPollMs ?? 25);
    await sleep(delay / 2 + Math.random() * (delay / 2), timing.signal);
  }
}
