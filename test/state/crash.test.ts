import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockHeldError } from '../../src/lib/errors.js';
import { parseState } from '../../src/state/read.js';
import type { Entry } from '../../src/state/schema.js';
import { StateStore } from '../../src/state/store.js';
import { StoreWorker } from './worker.js';
import { put } from './put.js';

const TEMP = /^dev_state\.yml\.\d+\.[0-9a-f]{8}\.tmp$/;
const entry = (name: string): Entry => ({ vm_id: `vm-${name}`, vm_ip: '198.18.0.10', container_name: name, status: 'running' });

let root: string;
let file: string;
const workers: StoreWorker[] = [];

async function startWorker(): Promise<StoreWorker> {
  const worker = await StoreWorker.start();
  workers.push(worker);
  return worker;
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-state-crash-'));
  file = path.join(root, '.kamal', 'dev_state.yml');
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  rmSync(root, { recursive: true, force: true });
});

/** The pid in the lock's owner file (`owner-<token>.json`), the only file in the lock directory. */
function ownerPid(): number {
  const names = readdirSync(`${file}.lock`);
  expect(names).toEqual([expect.stringMatching(/^owner-[0-9a-f]{16}\.json$/)]);
  return (JSON.parse(readFileSync(`${file}.lock/${names[0]}`, 'utf8')) as { pid: number }).pid;
}

describe('a process killed while holding the lock', () => {
  it('hands the lock to the next process at once, with the old content intact', async () => {
    await put(new StateStore(file), 'myapp-dev-1', entry('myapp-dev-1'));
    const before = readFileSync(file);
    const holder = await startWorker();
    const { id } = holder.send({ op: 'hold', file });
    await holder.next((reply) => reply.id === id && reply.holding === true);
    expect(ownerPid()).toBe(holder.pid);

    await holder.kill('SIGKILL');
    expect(existsSync(`${file}.lock`)).toBe(true);
    expect(readFileSync(file)).toEqual(before);

    // stale time 60 s, wait 5 s: only the dead-holder check can hand the lock over in time
    const next = await startWorker();
    const reply = await next.request({ op: 'put', file, name: 'myapp-dev-2', entry: entry('myapp-dev-2'), staleMs: 60_000, waitMs: 5_000 });
    expect(reply).toMatchObject({ ok: true });
    expect(Object.keys((await parseState(readFileSync(file, 'utf8'), file)).deployments)).toEqual(['myapp-dev-1', 'myapp-dev-2']);
    expect(readdirSync(path.dirname(file))).toEqual(['dev_state.yml']);
  });
});

describe('a lock whose holder is alive', () => {
  it('is never taken over, even past the stale time, and the waiter gives up with exit 3 naming the holder', async () => {
    await put(new StateStore(file), 'myapp-dev-1', entry('myapp-dev-1'));
    const before = readFileSync(file);
    const holder = await startWorker();
    const { id } = holder.send({ op: 'hold', file, staleMs: 2000 });
    await holder.next((reply) => reply.id === id && reply.holding === true);

    // the holder refreshes the lock every second, so 3.5 s of waiting never finds it stale
    const error = await put(new StateStore(file, { staleMs: 2000, waitMs: 3500 }), 'myapp-dev-2', entry('myapp-dev-2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    const held = error as LockHeldError;
    expect(held.exitCode).toBe(3);
    expect(held.message).toContain(`${file}.lock is held by process ${holder.pid} on `);
    expect(held.hint).toContain(`If process ${holder.pid} is no longer running kamal-dev`);
    expect(held.hint).toContain(`rm -r ${file}.lock`);
    expect(ownerPid()).toBe(holder.pid);
    expect(readFileSync(file)).toEqual(before);
  });
});

describe('a lock of a holder on another host (its pid cannot be checked)', () => {
  function plantLock(ageMs: number, owner: string | undefined): void {
    mkdirSync(`${file}.lock`, { recursive: true });
    if (owner !== undefined) writeFileSync(`${file}.lock/owner-0123456789abcdef.json`, owner);
    const when = new Date(Date.now() - ageMs);
    utimesSync(`${file}.lock`, when, when);
  }
  const remoteOwner = JSON.stringify({ pid: 1, host: 'elsewhere.example', since: '2026-01-01T00:00:00.000Z' });

  it('is respected while fresh: LockHeldError names that process and host', async () => {
    plantLock(0, remoteOwner);
    const error = await put(new StateStore(file, { waitMs: 300 }), 'myapp-dev-1', entry('myapp-dev-1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).message).toContain('held by process 1 on elsewhere.example (since 2026-01-01T00:00:00.000Z)');
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.lock/owner-0123456789abcdef.json`, 'utf8')).toBe(remoteOwner);
  });

  it('is taken over once it has not been refreshed for the stale time', async () => {
    plantLock(30_000, remoteOwner);
    await put(new StateStore(file, { waitMs: 2000 }), 'myapp-dev-1', entry('myapp-dev-1'));
    expect(Object.keys((await parseState(readFileSync(file, 'utf8'), file)).deployments)).toEqual(['myapp-dev-1']);
    expect(readdirSync(path.dirname(file))).toEqual(['dev_state.yml']);
  });

  it.each([
    ['cut short', '{"pid": 12'],
    ['never written', undefined],
  ])('is taken over when stale even if its owner file was %s', async (_, owner) => {
    plantLock(30_000, owner);
    await put(new StateStore(file, { waitMs: 2000 }), 'myapp-dev-1', entry('myapp-dev-1'));
    expect(readdirSync(path.dirname(file))).toEqual(['dev_state.yml']);
  });

  it('an empty lock directory is respected while fresh', async () => {
    plantLock(0, undefined);
    const error = await put(new StateStore(file, { waitMs: 300 }), 'myapp-dev-1', entry('myapp-dev-1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).message).toContain('is held by another process');
  });
});

describe('a process killed in the middle of a write', () => {
  it('leaves the old or the new content, never a partial file', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `myapp-dev-${i + 1}`);
    await new StateStore(file).update((state) => {
      for (const name of names) state.deployments[name] = { ...entry(name), host_key: `ssh-ed25519 ${'A'.repeat(68)}`, generation: 0 };
    });
    const dir = path.dirname(file);
    let midWrite = 0;
    let rounds = 0;
    while (midWrite < 3 && rounds < 20) {
      rounds += 1;
      const worker = await startWorker();
      const { id } = worker.send({ op: 'churn', file });
      const first = await worker.next((reply) => reply.id === id && typeof reply.generation === 'number');
      let reported = first.generation as number;
      worker.onReply((reply) => {
        if (reply.id === id && typeof reply.generation === 'number') reported = reply.generation;
      });
      // SIGKILL as soon as the worker's next temporary file appears
      const watcher = watch(dir, (_event, name) => {
        if (name && TEMP.test(name)) void worker.kill('SIGKILL');
      });
      await worker.exited;
      watcher.close();
      if (readdirSync(dir).some((name) => TEMP.test(name))) midWrite += 1;

      const text = readFileSync(file, 'utf8');
      const state = await parseState(text, file);
      expect(Object.keys(state.deployments)).toEqual(names);
      const generations = new Set(Object.values(state.deployments).map((e) => e.generation as number));
      expect(generations.size).toBe(1);
      const [generation] = [...generations];
      expect([reported, reported + 1]).toContain(generation);

      // the next process gets the dead holder's lock and clears the partial temporary file
      await new StateStore(file, { staleMs: 60_000, waitMs: 5_000 }).update(() => undefined);
      expect(readdirSync(dir)).toEqual(['dev_state.yml']);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
    expect(midWrite, `kills that landed before the rename, out of ${rounds}`).toBeGreaterThanOrEqual(1);
  });
});
