import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseState } from '../../src/state/read.js';
import { StoreWorker } from './worker.js';

const PROCESSES = 20;
const ROUNDS = 20;

/** A lock left by a process that has exited: every waiter judges it abandoned at once and races to clear it. */
function plantDeadHoldersLock(file: string): void {
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  mkdirSync(`${file}.lock`, { recursive: true });
  writeFileSync(`${file}.lock/owner-00000000deadbeef.json`, JSON.stringify({ pid: dead, host: hostname(), since: new Date().toISOString() }));
}

describe('20 processes reserving and recording at once', () => {
  const workers: StoreWorker[] = [];
  const root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-state-concurrency-'));

  beforeAll(async () => {
    workers.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => StoreWorker.start()))));
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    rmSync(root, { recursive: true, force: true });
  });

  it(`keeps all ${PROCESSES} entries with distinct names, ${ROUNDS} rounds in a row (every 4th starting on a dead holder's lock)`, async () => {
    expect(new Set(workers.map((worker) => worker.pid)).size).toBe(PROCESSES);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const file = path.join(root, `round-${round}`, '.kamal', 'dev_state.yml');
      if (round % 4 === 0) plantDeadHoldersLock(file);
      // every worker is idle and gets its command within the same few milliseconds
      const sent = workers.map((worker) => worker.send({ op: 'reserve-record', file, service: 'myapp-dev', pattern: '{service}-{index}' }));
      const replies = await Promise.all(sent.map((s) => s.reply));
      expect(replies.filter((reply) => !reply.ok), `round ${round}`).toEqual([]);

      const names = replies.map((reply) => reply.name as string);
      expect(new Set(names).size, `round ${round}: distinct names`).toBe(PROCESSES);
      const state = await parseState(readFileSync(file, 'utf8'), file);
      expect(Object.keys(state.deployments).sort()).toEqual([...names].sort());
      expect(Object.keys(state.deployments).sort()).toEqual(Array.from({ length: PROCESSES }, (_, i) => `myapp-dev-${i + 1}`).sort());
      workers.forEach((worker, i) => {
        const entry = state.deployments[names[i] as string];
        expect(entry).toMatchObject({ container_name: names[i], status: 'running', vm_id: `vm-${worker.pid}-${sent[i]?.id}` });
        expect(entry?.request_id).toBe(`req-${worker.pid}-${sent[i]?.id}`);
      });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // the lock is released and no temporary file is left behind
      expect(readdirSync(path.dirname(file)).sort()).toEqual(['dev_state.yml']);
      expect(existsSync(`${file}.lock`)).toBe(false);
    }
  });
});
