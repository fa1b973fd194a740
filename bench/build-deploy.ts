import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempProject } from '../test/helpers/project.js';
import { stepTimeline } from './lib/phases.js';
import { startBenchCloud } from './lib/local-cloud.js';
import { kamalDev, requireBuild } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, ratio } from './lib/stats.js';

const COUNTS = [1, 5] as const;
const BOOT_DELAY_MS = 5_000;

/** A Dockerfile project: a build argument, a RUN step and a COPY of the context, built on each VM. */
const DOCKERFILE = 'ARG BASE\nFROM ${BASE}\nARG GREETING=unset\nRUN echo "$GREETING" > /greeting\nCOPY . /ctx\n';

interface Row {
  count: number;
  wall_ms: number;
  exit: number | null;
  running: number;
  /** ms after the spawn when the last workspace reached each step (image.build among them). */
  last_workspace_reached_ms: Record<string, number>;
}

/** `deploy --count N --yes` of a Dockerfile project on the local cloud, N = 1 and 5 in the same run: each VM builds in parallel. */
export async function buildDeployBenchmark(): Promise<void> {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('build-deploy needs root (network namespaces)');
  const cloud = await startBenchCloud({ bootDelayMs: BOOT_DELAY_MS });
  const rows: Row[] = [];
  try {
    for (const count of COUNTS) {
      const { dir, home } = tempProject('e2e-workspace');
      const dc = path.join(dir, '.devcontainer');
      writeFileSync(path.join(dc, 'Dockerfile'), DOCKERFILE);
      writeFileSync(path.join(dc, 'devcontainer.json'), JSON.stringify({ build: { dockerfile: 'Dockerfile', args: { BASE: cloud.images.v1, GREETING: 'bench' } } }));
      const env = { PATH: process.env.PATH, NO_COLOR: '1', HOME: home, ...cloud.env, KAMAL_DEV_TEST_TOKEN: 'bench-token' };
      try {
        const startedAt = Date.now();
        const run = await kamalDev(['--progress', 'json', 'deploy', '--count', String(count), '--yes'], { cwd: dir, env, timeoutMs: 900_000 });
        const state = JSON.parse((await kamalDev(['list', '--format', 'json'], { cwd: dir, env })).stdout || '{}') as Record<string, { status: string }>;
        if (run.code !== 0) process.stderr.write(`deploy --count ${count} exited ${run.code}:\n${run.stderr.slice(-2000)}\n`);
        rows.push({
          count,
          wall_ms: ms(run.ms),
          exit: run.code,
          running: Object.values(state).filter((e) => e.status === 'running').length,
          last_workspace_reached_ms: stepTimeline(run.stderr, startedAt),
        });
        const removed = await kamalDev(['remove', '--all', '--force'], { cwd: dir, env, timeoutMs: 600_000 });
        if (removed.code !== 0 || cloud.liveServers() !== 0) throw new Error(`remove --all --force left ${cloud.liveServers()} VMs (exit ${removed.code}): ${removed.stderr}`);
      } finally {
        rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    }
  } finally {
    await cloud.close();
  }
  const t = (n: number) => rows.find((r) => r.count === n)?.wall_ms ?? Number.NaN;
  const scaling = ratio(t(5), t(1));
  printTable(`Dockerfile project deployed on the local cloud (netns VMs, ${BOOT_DELAY_MS / 1000} s boot; each VM builds)`,
    ['N', 'WALL s', 'EXIT', 'RUNNING'],
    rows.map((r) => [r.count, (r.wall_ms / 1000).toFixed(1), String(r.exit), `${r.running}/${r.count}`]));
  console.log(`t(5)/t(1) = ${scaling}`);
  const steps = [...new Set(rows.flatMap((r) => Object.keys(r.last_workspace_reached_ms)))];
  printTable('When the last workspace reached each step (s after the spawn)', ['STEP', ...rows.map((r) => `N=${r.count}`)],
    steps.map((step) => [step, ...rows.map((r) => (r.last_workspace_reached_ms[step] === undefined ? '-' : (r.last_workspace_reached_ms[step] / 1000).toFixed(1)))]));
  await writeResult('build-deploy', { boot_delay_ms: BOOT_DELAY_MS, runs: rows, t5_over_t1: scaling, note: 'Without registry: each VM builds the image itself, all in parallel.' });
}
