import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/lib/errors.js';
import { StateStore } from '../../src/state/store.js';
import { CORRUPT_STATES } from './corrupt-files.js';
import { put } from './put.js';

const OPERATIONS: ReadonlyArray<[string, (store: StateStore) => Promise<unknown>]> = [
  ['read', (store) => store.read()],
  ['update', (store) => store.update(() => undefined)],
  ['reserve', (store) => store.reserve('myapp-dev', '{service}-{index}', 2, (name) => ({ container_name: name }))],
  ['put', (store) => put(store, 'myapp-dev-9', { container_name: 'myapp-dev-9', status: 'running' })],
  ['patch', (store) => store.patch('myapp-dev-1', { status: 'stopped' })],
  ['remove', (store) => store.remove('myapp-dev-1')],
];

let root: string;
let file: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-state-corrupt-'));
  file = path.join(root, '.kamal', 'dev_state.yml');
  mkdirSync(path.dirname(file));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe.each(CORRUPT_STATES)('a state file with $what', ({ text, problem }) => {
  it.each(OPERATIONS)('is left byte for byte unchanged by %s, which fails with exit 1 naming the file and the problem', async (_, operation) => {
    writeFileSync(file, text);
    chmodSync(file, 0o644);
    const before = statSync(file);

    const error = await operation(new StateStore(file)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StateError);
    const stateError = error as StateError;
    expect(stateError.exitCode).toBe(1);
    expect(stateError.message).toContain(file);
    expect(stateError.message).toContain(problem);
    expect(stateError.message).not.toContain('\n');
    expect(stateError.hint).toContain('kamal-dev list --rebuild');
    expect(readFileSync(file, 'utf8')).toBe(text);
    const after = statSync(file);
    expect([after.mtimeMs, after.ino, after.mode]).toEqual([before.mtimeMs, before.ino, before.mode]);
    // no lock and no temporary file left behind
    expect(readdirSync(path.dirname(file))).toEqual(['dev_state.yml']);
  });
});
