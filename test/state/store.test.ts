import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StateError } from '../../src/lib/errors.js';
import type { Entry } from '../../src/state/schema.js';
import { StateStore } from '../../src/state/store.js';
import { put } from './put.js';

let root: string;
let file: string;
let store: StateStore;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-state-store-'));
  file = path.join(root, '.kamal', 'dev_state.yml');
  store = new StateStore(file);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const running = (name: string, extra: Partial<Entry> = {}): Entry => ({ container_name: name, status: 'running', ...extra });
const names = async () => Object.keys((await store.read()).deployments);
const folder = () => readdirSync(path.dirname(file)).sort();

describe('reserve', () => {
  it('picks the lowest free indexes and writes provisioning entries', async () => {
    const reserved = await store.reserve('myapp-dev', '{service}-{index}', 3, (name, index) => ({ container_name: name, request_id: `r${index}` }));
    expect(reserved).toEqual(['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3']);
    expect((await store.read()).deployments['myapp-dev-2']).toEqual({ container_name: 'myapp-dev-2', request_id: 'r2', status: 'provisioning' });
  });

  it('never reuses a name or an index present in the state, whatever its status', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1', { status: 'failed' }));
    await put(store, 'myapp-dev-03', running('myapp-dev-03')); // index 3 under an older {index:02} pattern
    await put(store, 'myapp-dev-5', running('myapp-dev-5', { status: 'missing' }));
    await put(store, 'other-2', running('other-2'));
    const reserved = await store.reserve('myapp-dev', '{service}-{index}', 3, (name) => ({ container_name: name }));
    expect(reserved).toEqual(['myapp-dev-2', 'myapp-dev-4', 'myapp-dev-6']);
    expect(await names()).toEqual(['myapp-dev-1', 'myapp-dev-03', 'myapp-dev-5', 'other-2', ...reserved]);
  });

  it('follows zero-padded patterns', async () => {
    expect(await store.reserve('api', 'ws-{index:03}-{service}', 2, (name) => ({ container_name: name }))).toEqual(['ws-001-api', 'ws-002-api']);
  });

  it('forces the provisioning status whatever make returns', async () => {
    const make = (name: string) => ({ container_name: name, status: 'running' }) as unknown as Entry;
    await store.reserve('myapp-dev', '{service}-{index}', 1, make);
    expect((await store.read()).deployments['myapp-dev-1']?.status).toBe('provisioning');
  });

  it('gives distinct names to concurrent reservations of one process', async () => {
    const batches = await Promise.all(Array.from({ length: 25 }, () => store.reserve('myapp-dev', '{service}-{index}', 2, (name) => ({ container_name: name }))));
    expect(new Set(batches.flat()).size).toBe(50);
    expect(await names()).toHaveLength(50);
  });

  it('rejects a bad count or a pattern without {index}, writing nothing', async () => {
    await expect(store.reserve('myapp-dev', '{service}-{index}', -1, (name) => ({ container_name: name }))).rejects.toThrow(RangeError);
    await expect(store.reserve('myapp-dev', '{service}-{index}', 1.5, (name) => ({ container_name: name }))).rejects.toThrow(RangeError);
    await expect(store.reserve('myapp-dev', '{service}-dev', 1, (name) => ({ container_name: name }))).rejects.toThrow('does not contain {index}');
    expect(await store.reserve('myapp-dev', '{service}-{index}', 0, (name) => ({ container_name: name }))).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });
});

describe('put, patch and remove', () => {
  it('record, merge and drop entries; the file goes when the last one does', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    await put(store, 'myapp-dev-2', running('myapp-dev-2'));
    await store.patch('myapp-dev-1', { vm_ip: '198.18.0.7', status: 'failed', error: 'boom' });
    await store.patch('myapp-dev-1', { status: 'stopped', error: undefined });
    await store.remove('myapp-dev-2');
    await store.remove('myapp-dev-2');
    expect((await store.read()).deployments).toEqual({ 'myapp-dev-1': { container_name: 'myapp-dev-1', status: 'stopped', vm_ip: '198.18.0.7' } });
    expect(readFileSync(file, 'utf8')).not.toContain('error');
    await store.remove('myapp-dev-1');
    expect(existsSync(file)).toBe(false);
    expect(folder()).toEqual([]);
  });

  it('patch of an unknown workspace is a StateError and writes nothing', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    const before = readFileSync(file, 'utf8');
    await expect(store.patch('myapp-dev-7', { status: 'stopped' })).rejects.toThrow(new StateError(`${file}: no workspace named myapp-dev-7`));
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('patches made at once share one update (one lock, one write), in the order made; an unknown name fails only its own', async () => {
    const all = Array.from({ length: 10 }, (_, i) => `myapp-dev-${i + 1}`);
    for (const name of all) await put(store, name, running(name));
    const updates = vi.spyOn(store, 'update');
    const results = await Promise.allSettled([
      ...all.map((name, i) => store.patch(name, { vm_ip: `198.18.0.${i + 1}`, status: 'failed' })),
      store.patch('myapp-dev-1', { status: 'stopped' }),
      store.patch('myapp-dev-99', { status: 'stopped' }),
    ]);
    expect(updates).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.status)).toEqual([...Array(11).fill('fulfilled'), 'rejected']);
    expect((results[11] as PromiseRejectedResult).reason).toEqual(new StateError(`${file}: no workspace named myapp-dev-99`));
    const { deployments } = await store.read();
    expect(Object.keys(deployments)).toEqual(all);
    expect(deployments['myapp-dev-1']).toEqual(running('myapp-dev-1', { vm_ip: '198.18.0.1', status: 'stopped' }));
    expect(deployments['myapp-dev-10']).toEqual(running('myapp-dev-10', { vm_ip: '198.18.0.10', status: 'failed' }));
  });

  it('a patch made after another update was queued is applied after it, not batched before it', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    const first = store.patch('myapp-dev-1', { vm_ip: '198.18.0.1' });
    const removal = store.remove('myapp-dev-1');
    const late = store.patch('myapp-dev-1', { vm_ip: '198.18.0.2' });
    await first;
    await removal;
    await expect(late).rejects.toThrow(StateError);
    expect(existsSync(file)).toBe(false);
  });

  it('writes the file with mode 0600 whatever the umask, and leaves no lock or temporary file', async () => {
    const umask = process.umask(0o000);
    try {
      await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    } finally {
      process.umask(umask);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(folder()).toEqual(['dev_state.yml']);
  });
});

describe('update', () => {
  it('writes nothing and releases the lock when fn throws', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    const before = readFileSync(file, 'utf8');
    await expect(
      store.update((state) => {
        delete state.deployments['myapp-dev-1'];
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(folder()).toEqual(['dev_state.yml']);
    await put(store, 'myapp-dev-2', running('myapp-dev-2'));
    expect(await names()).toEqual(['myapp-dev-1', 'myapp-dev-2']);
  });

  it('refuses to write a state fn made invalid', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    const before = readFileSync(file, 'utf8');
    const error = await store
      .update((state) => {
        (state.deployments['myapp-dev-1'] as { status: string }).status = 'exploded';
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).message).toContain(`refusing to write an invalid state to ${file}: deployments.myapp-dev-1.status`);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('does not rewrite the file when nothing changed', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    const inode = statSync(file).ino;
    expect(await store.update((state) => Object.keys(state.deployments).length)).toBe(1);
    expect(statSync(file).ino).toBe(inode);
  });

  it('clears what dead processes left: temporary files of a writer killed mid-write, a lock moved aside', async () => {
    await put(store, 'myapp-dev-1', running('myapp-dev-1'));
    writeFileSync(`${file}.4242.0badc0de.tmp`, 'deployments:\n  myapp-dev-1:\n    contai');
    mkdirSync(`${file}.lock.broken-4243-0badc0de`);
    writeFileSync(`${file}.lock.broken-4243-0badc0de/broken-4243-0badc0de`, '{"pid":4241}');
    writeFileSync(path.join(path.dirname(file), 'notes.txt'), 'mine');
    writeFileSync(`${file}.bak`, 'mine too');
    await store.update(() => undefined);
    expect(folder()).toEqual(['dev_state.yml', 'dev_state.yml.bak', 'notes.txt']);
  });
});

describe('the file it writes', () => {
  const GEM_FILE = `deployments:
  myapp-dev-1:
    vm_id: "00abc123-def4-5678-90ab-cdef12345678"
    vm_ip: "1.2.3.4"
    container_name: "myapp-dev-1"
    status: running
    deployed_at: "2025-11-16T14:30:00Z"
    future_key: { nested: [1, 2] }
owner: someone
`;

  it('keeps unknown keys, in the gem style: block mappings, quoted strings, plain status', async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, GEM_FILE);
    await put(store, 'myapp-dev-2', running('myapp-dev-2', { host_key: `ssh-ed25519 ${'A'.repeat(120)}`, ports: { '3000': 3000 } }));
    expect(readFileSync(file, 'utf8')).toBe(`deployments:
  myapp-dev-1:
    vm_id: "00abc123-def4-5678-90ab-cdef12345678"
    vm_ip: "1.2.3.4"
    container_name: "myapp-dev-1"
    status: running
    deployed_at: "2025-11-16T14:30:00Z"
    future_key:
      nested:
        - 1
        - 2
  myapp-dev-2:
    container_name: "myapp-dev-2"
    status: running
    host_key: "ssh-ed25519 ${'A'.repeat(120)}"
    ports:
      "3000": 3000
owner: "someone"
`);
  });

  it('round-trips names and values that YAML would otherwise misread', async () => {
    const tricky = running('true', { vm_id: '0123', vm_ip: 'null', error: 'line one\nline two: "quoted" #not a comment' });
    await put(store, 'true', tricky);
    await put(store, '1e3', running('1e3', { vm_id: 'yes' }));
    const reread = new StateStore(file);
    expect((await reread.read()).deployments).toEqual({ true: tricky, '1e3': running('1e3', { vm_id: 'yes' }) });
  });
});
