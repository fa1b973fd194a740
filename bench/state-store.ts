import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseState } from '../src/state/read.js';
import { requireBuild } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, summarize } from './lib/stats.js';

const PROCESSES = 50;
const ROUNDS = 5;
const WORKER = fileURLToPath(new URL('./workers/state-recorder.mjs', import.meta.url));

interface Reply {
  ok?: boolean;
  ready?: boolean;
  name?: string;
  wait_ms?: number;
  held_ms?: number;
  message?: string;
}

/** A recording process, driven over stdin/stdout; `next()` is its next reply. */
function startWorker() {
  const child = spawn(process.execPath, [WORKER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies: Reply[] = [];
  const waiting: Array<(reply: Reply) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    const resolve = waiting.shift();
    if (resolve) resolve(reply);
    else replies.push(reply);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      const queued = replies.shift();
      if (queued) return resolve(queued);
      waiting.push(resolve);
      void exited.then(() => reject(new Error(`recording process ${child.pid} exited`)));
    });
  return {
    next,
    go: (file: string, name: string) => child.stdin.write(`${JSON.stringify({ file, name })}\n`),
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

export async function stateStoreBenchmark(): Promise<void> {
  requireBuild();
  const root = await mkdtemp(path.join(tmpdir(), 'kamal-dev-bench-state-'));
  const workers = Array.from({ length: PROCESSES }, startWorker);
  try {
    await Promise.all(workers.map(async (w) => (await w.next()).ready || Promise.reject(new Error('worker not ready'))));
    const waits: number[] = [];
    const holds: number[] = [];
    const rounds: Array<Record<string, number | boolean>> = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const file = path.join(root, `round-${round}`, '.kamal', 'dev_state.yml');
      const names = workers.map((_, i) => `myapp-dev-${i + 1}`);
      const started = performance.now();
      workers.forEach((w, i) => w.go(file, names[i] as string));
      const replies = await Promise.all(workers.map((w) => w.next()));
      const wall = performance.now() - started;
      const failed = replies.filter((r) => !r.ok);
      const state = await parseState(await readFile(file, 'utf8'), file);
      const present = names.filter((name) => state.deployments[name]?.vm_id !== undefined).length;
      const leftovers = (await readdir(path.dirname(file))).filter((f) => f !== 'dev_state.yml').length;
      const roundWaits = replies.filter((r) => r.ok).map((r) => r.wait_ms as number);
      waits.push(...roundWaits);
      holds.push(...replies.filter((r) => r.ok).map((r) => r.held_ms as number));
      const s = summarize(roundWaits);
      rounds.push({ round, failed: failed.length, entries_present: present, leftover_files: leftovers, wall_ms: ms(wall), median_wait_ms: ms(s.median), worst_wait_ms: ms(s.max) });
      for (const f of failed) process.stderr.write(`round ${round}: ${f.name}: ${f.message}\n`);
    }
    const wait = summarize(waits);
    const hold = summarize(holds);
    const allPresent = rounds.every((r) => r.entries_present === PROCESSES && r.failed === 0 && r.leftover_files === 0);
    printTable(`State store: ${PROCESSES} processes recording one workspace each at once (${ROUNDS} rounds)`,
      ['ROUND', 'FAILED', 'ENTRIES PRESENT', 'LEFTOVER FILES', 'WALL ms', 'MEDIAN WAIT ms', 'WORST WAIT ms'],
      rounds.map((r) => [r.round, r.failed, `${r.entries_present}/${PROCESSES}`, r.leftover_files, r.wall_ms, r.median_wait_ms, r.worst_wait_ms] as Array<string | number>));
    printTable('Time to get the lock (all rounds) and time holding it',
      ['', 'SAMPLES', 'MEDIAN ms', 'P90 ms', 'WORST ms'],
      [
        ['wait for the lock', wait.runs, ms(wait.median), ms(wait.p90), ms(wait.max)],
        ['read-modify-write under the lock', hold.runs, ms(hold.median), ms(hold.p90), ms(hold.max)],
      ]);
    process.stdout.write(`all entries present in every round: ${allPresent ? 'yes' : 'NO'}\n`);
    await writeResult('state-store', {
      processes: PROCESSES,
      rounds: ROUNDS,
      all_entries_present: allPresent,
      per_round: rounds,
      lock_wait_ms: { runs: wait.runs, median: ms(wait.median), p90: ms(wait.p90), min: ms(wait.min), max: ms(wait.max) },
      lock_held_ms: { runs: hold.runs, median: ms(hold.median), p90: ms(hold.p90), min: ms(hold.min), max: ms(hold.max) },
      note: 'wait = from StateStore.update() being called to its callback running (lock taken, state read); held = from then to the lock released (validate, write, fsync, rename, release).',
    });
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await rm(root, { recursive: true, force: true });
  }
}
