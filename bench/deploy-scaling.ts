import { rmSync } from 'node:fs';
import path from 'node:path';
import { tempProject } from '../test/helpers/project.js';
import { stepTimeline } from './lib/phases.js';
import { acceptedSshLogins, requestDelta, startBenchCloud } from './lib/local-cloud.js';
import { kamalDev, requireBuild } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, ratio } from './lib/stats.js';

const COUNTS = [1, 5, 10] as const;
const BOOT_DELAY_MS = 5_000;
const TARGET_RATIO = 1.5;
const TARGET_REQUESTS_N10 = 40;
const TARGET_SSH_PER_VM = 1;

interface Row {
  count: number;
  wall_ms: number;
  exit: number | null;
  running: number;
  api_requests: number;
  requests_by_route: Record<string, number>;
  ssh_logins_per_vm: number[];
  /** ms after the spawn when the last workspace reached each step. */
  last_workspace_reached_ms: Record<string, number>;
}

/** `deploy --count N --yes` on the local cloud (netns VMs, 5 s boot): wall time, API requests, SSH logins per VM. */
export async function deployScalingBenchmark(): Promise<void> {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('deploy-scaling needs root (network namespaces)');
  const cloud = await startBenchCloud({ bootDelayMs: BOOT_DELAY_MS });
  const rows: Row[] = [];
  try {
    for (const count of COUNTS) {
      const { dir, home } = tempProject('e2e-workspace');
      const env = { PATH: process.env.PATH, NO_COLOR: '1', HOME: home, ...cloud.env, KAMAL_DEV_TEST_TOKEN: 'bench-token' };
      try {
        const before = cloud.requests().byRoute;
        const startedAt = Date.now();
        const run = await kamalDev(['--progress', 'json', 'deploy', '--count', String(count), '--yes'], { cwd: dir, env, timeoutMs: 900_000 });
        const delta = requestDelta(before, cloud.requests().byRoute);
        const state = JSON.parse((await kamalDev(['list', '--format', 'json'], { cwd: dir, env })).stdout || '{}') as Record<string, { status: string; vm_ip?: string }>;
        const entries = Object.values(state);
        if (run.code !== 0) process.stderr.write(`deploy --count ${count} exited ${run.code}:\n${run.stderr.slice(-2000)}\n`);
        rows.push({
          count,
          wall_ms: ms(run.ms),
          exit: run.code,
          running: entries.filter((e) => e.status === 'running').length,
          api_requests: Object.values(delta).reduce((a, b) => a + b, 0),
          requests_by_route: delta,
          ssh_logins_per_vm: entries.filter((e) => e.vm_ip).map((e) => acceptedSshLogins(e.vm_ip as string)),
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
  const scaling = ratio(t(10), t(1));
  const n10 = rows.find((r) => r.count === 10);
  const maxSsh = Math.max(...rows.flatMap((r) => r.ssh_logins_per_vm));
  printTable(`Deploy scaling on the local cloud (netns VMs, ${BOOT_DELAY_MS / 1000} s boot, Docker installed by kamal-dev)`,
    ['N', 'WALL s', 'EXIT', 'RUNNING', 'API REQUESTS', 'SSH LOGINS PER VM'],
    rows.map((r) => [r.count, (r.wall_ms / 1000).toFixed(1), String(r.exit), `${r.running}/${r.count}`, r.api_requests, r.ssh_logins_per_vm.join(' ')]));
  console.log(`t(10)/t(1) = ${scaling} (target <= ${TARGET_RATIO}); API requests for N=10: ${n10?.api_requests} (target <= ${TARGET_REQUESTS_N10}); SSH logins per VM: max ${maxSsh} (target ${TARGET_SSH_PER_VM})`);
  for (const r of rows) console.log(`N=${r.count} requests: ${JSON.stringify(r.requests_by_route)}`);
  const steps = [...new Set(rows.flatMap((r) => Object.keys(r.last_workspace_reached_ms)))];
  printTable('When the last workspace reached each step (s after the spawn)', ['STEP', ...rows.map((r) => `N=${r.count}`)],
    steps.map((step) => [step, ...rows.map((r) => (r.last_workspace_reached_ms[step] === undefined ? '-' : (r.last_workspace_reached_ms[step] / 1000).toFixed(1)))]));
  await writeResult('deploy-scaling', {
    boot_delay_ms: BOOT_DELAY_MS,
    runs: rows,
    t10_over_t1: scaling,
    target_t10_over_t1: TARGET_RATIO,
    api_requests_n10: n10?.api_requests,
    target_api_requests_n10: TARGET_REQUESTS_N10,
    max_ssh_logins_per_vm: maxSsh,
    target_ssh_logins_per_vm: TARGET_SSH_PER_VM,
    note: 'SSH logins are the "Accepted publickey" lines of each VM\'s sshd log after the deploy. Docker is absent on the VMs and installed by kamal-dev from the install URL, as on a fresh Ubuntu template.',
  });
}
