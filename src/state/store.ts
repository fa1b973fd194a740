import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { formatIssues } from '../config/format-issues.js';
import { indexOfName, workspaceName } from '../config/naming.js';
import { StateError } from '../lib/errors.js';
import { removeFileDurably, removeLeftovers, writeFileDurably } from './durable-write.js';
import type { StateAccess } from './access.js';
import { acquireLock, describeHolder, type LockTiming } from './lock.js';
import { deployLockTarget, lockPath } from './paths.js';
import { readState, readStateFile } from './read.js';
import { StateSchema, type Entry, type NewEntry, type State } from './schema.js';
import { stringifyYaml } from './serialize.js';

export interface StateStoreOptions {
  /** Wait at most this long for another process's lock, then LockHeldError (default 10 s). */
  waitMs?: number;
  /** A lock not refreshed for this long is taken over (default 10 s); a dead holder's lock at once. */
  staleMs?: number;
  signal?: AbortSignal;
  /** How long a deploy waits for another one's deploy lock (default 30 min): a deploy may take that long. */
  deployWaitMs?: number;
}

/** Updates of one state file in this process run one after another (the lock is per process). */
const queues = new Map<string, Promise<unknown>>();
/** The batch of patches waiting at the end of a state file's queue, which later patches join (see `patch`). */
const openBatches = new Map<string, PatchBatch>();

function inTurn<T>(key: string, task: () => Promise<T>): Promise<T> {
  openBatches.delete(key); // whatever is queued after this task runs after it
  const run = (queues.get(key) ?? Promise.resolve()).then(task, task);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => queues.get(key) === tail && queues.delete(key));
  return run;
}

interface QueuedPatch {
  name: string;
  changes: Partial<Entry>;
  /** Set when its workspace was not in the state: only this patch fails. */
  missing?: boolean;
}

interface PatchBatch {
  patches: QueuedPatch[];
  /** The one update that applies them all. */
  written: Promise<void>;
}

const MAX_ATTEMPTS = 3;

/**
 * The state file `.kamal/dev_state.yml`: reads without a lock, and read-modify-write under the lock.
 * A corrupt file is never overwritten (StateError); writes are atomic and durable; the file is deleted when no
 * deployment is left.
 */
export class StateStore implements StateAccess {
  readonly file: string;
  readonly lockPath: string;
  readonly #timing: LockTiming;
  readonly #deployWaitMs: number;

  constructor(file: string, options: StateStoreOptions = {}) {
    this.file = path.resolve(file);
    this.lockPath = lockPath(this.file);
    this.#deployWaitMs = options.deployWaitMs ?? 30 * 60_000;
    this.#timing = { waitMs: options.waitMs ?? 10_000, staleMs: options.staleMs ?? 10_000, signal: options.signal };
  }

  /** The current state, without a lock. A missing file is an empty state. */
  read(): Promise<State> {
    return readState(this.file);
  }

  /**
   * Runs `fn` on the current state under the lock and writes what it leaves (only when something changed).
   * `fn` runs while every other kamal-dev process waits: it must be quick and must not do network calls or
   * call this store again. If it throws, nothing is written.
   */
  update<T>(fn: (state: State) => T | Promise<T>): Promise<T> {
    return inTurn(this.lockPath, async () => {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      for (let attempt = 1; ; attempt += 1) {
        const lock = await acquireLock(this.file, this.#timing);
        try {
          const { text, state } = await readStateFile(this.file);
          await removeLeftovers(this.file);
          const result = await fn(state);
          const next = this.#validated(state);
          const out = Object.keys(next.deployments).length === 0 ? undefined : stringifyYaml(next);
          if (out === text) return result;
          if (!(await lock.stillHeld())) {
            if (attempt < MAX_ATTEMPTS) continue;
            throw new StateError(`${this.file}: lost the state lock ${this.lockPath} while updating; nothing was written`);
          }
          if (out === undefined) await removeFileDurably(this.file);
          else await writeFileDurably(this.file, out);
          return result;
        } finally {
          await lock.release();
        }
      }
    });
  }

  #validated(state: State): State {
    const result = StateSchema.safeParse(state, { reportInput: true });
    if (!result.success) {
      throw new StateError(`refusing to write an invalid state to ${this.file}: ${formatIssues(result.error.issues)}`);
    }
    return result.data;
  }

  /**
   * Picks the `count` lowest indexes that no workspace of the state uses (by name, or by index under `pattern`)
   * and records a `provisioning` entry for each (`make` gives the rest of it), atomically. Returns the new names in index order.
   */
  async reserve(service: string, pattern: string, count: number, make: (name: string, index: number) => NewEntry): Promise<string[]> {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`reserve: count must be a whole number >= 0, got ${count}`);
    if (indexOfName(pattern, service, workspaceName(pattern, service, 7)) !== 7) {
      throw new RangeError(`reserve: naming pattern "${pattern}" does not contain {index}`);
    }
    return this.update((state) => {
      const taken = new Set(Object.keys(state.deployments));
      const usedIndexes = new Set([...taken].map((name) => indexOfName(pattern, service, name)));
      const names: string[] = [];
      for (let index = 1; names.length < count; index += 1) {
        const name = workspaceName(pattern, service, index);
        if (usedIndexes.has(index) || taken.has(name)) continue;
        state.deployments[name] = { ...make(name, index), status: 'provisioning' };
        names.push(name);
      }
      return names;
    });
  }

  async exclusive<T>(fn: () => Promise<T>, onWait: (holder: string) => void): Promise<T> {
    // The deploy lock lives beside the state file, whose folder a project never deployed does not have yet.
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const lock = await acquireLock(deployLockTarget(this.file), {
      waitMs: this.#deployWaitMs,
      staleMs: this.#timing.staleMs,
      signal: this.#timing.signal,
      name: 'deploy lock',
      maxPollMs: 500,
      onWait: (owner) => onWait(describeHolder(owner)),
    });
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /**
   * Merges `changes` into the entry `name` (an undefined value drops that key); StateError when there is no such
   * entry. Patches made while the file's queue is busy (many workspaces recording at once) join one batch: one lock,
   * one read and one durable write for all of them, applied in the order they were made; each resolves once that
   * write is done.
   */
  async patch(name: string, changes: Partial<Entry>): Promise<void> {
    const key = this.lockPath;
    const queued: QueuedPatch = { name, changes };
    let batch = openBatches.get(key);
    if (batch) batch.patches.push(queued);
    else {
      const patches = [queued];
      const written = this.update((state) => {
        // from here on the batch is being applied: later patches start another
        if (openBatches.get(key) === batch) openBatches.delete(key);
        for (const one of patches) {
          const current = state.deployments[one.name];
          one.missing = !current;
          if (current) state.deployments[one.name] = { ...current, ...one.changes };
        }
      });
      batch = { patches, written };
      openBatches.set(key, batch);
    }
    await batch.written;
    if (queued.missing) throw new StateError(`${this.file}: no workspace named ${name}`);
  }

  /** Drops the entry `name` (absent is fine). The file is deleted when it was the last one. */
  async remove(name: string): Promise<void> {
    await this.update((state) => {
      delete state.deployments[name];
    });
  }
}
