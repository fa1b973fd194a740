import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { tempProject } from '../test/helpers/project.js';
import { stepTimeline } from './lib/phases.js';
import { acceptedSshLogins, requestDelta, startBenchCloud } from './lib/local-cloud.js';
import { fileURLToPath } from 'node:url';
import { BIN, kamalDev, requireBuild, timeProcess } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, ratio, summarize } from './lib/stats.js';

const COUNTS = [1, 5, 10] as const;
/** Rounds of every count, the order rotating each round; the figures are the medians (KAMAL_DEV_BENCH_ROUNDS). */
const ROUNDS = Number(process.env.KAMAL_DEV_BENCH_ROUNDS ?? 3);
/** After the deploy of 10: `status NAME` and `status` (all 10) alternated this many times on the same deployment. */
const STATUS_PAIRS = 7;
const BOOT_DELAY_MS = 5_000;
const TARGET_RATIO = 1.3;
const TARGET_REQUESTS_N10 = 30;
const TARGET_SSH_PER_VM = 1;
/** A deploy of 1 within the boot plus this. */
const TARGET_N1_OVER_BOOT_MS = 5_000;
const TARGET_PEAK_RSS_MB = 150;
const TARGET_STATUS_RATIO = 1.3;
const PEAK_RSS = fileURLToPath(new URL('./lib/peak-rss.mjs', import.meta.url));

interface Row {
  count: number;
  wall_ms: number;
  exit: number | null;
  running: number;
  api_requests: number;
  requests_by_route: Record<string, number>;
  ssh_logins_per_vm: number[];
  /** Peak resident set size of the deploy process. */
  peak_rss_mb: number;
  /** `status` on the N workspaces just deployed. */
  status_ms: number;
  /** ms after the spawn when the last workspace reached each step. */
  last_workspace_reached_ms: Record<string, number>;
  round: number;
  /** The machine's 1-minute load average when the deploy ended. */
  loadavg_1m: number;
}

/** `status` on one of the 10 workspaces and on all 10, alternated on one deployment: medians and load. */
interface StatusPairs {
  pairs: number;
  one_ms: number[];
  all_ms: number[];
  loadavg_1m: number[];
}

const median = (values: readonly number[]) => summarize(values).median;
const load1 = () => Math.round(loadavg()[0]! * 100) / 100;

/** `deploy --count N --yes` on the local cloud (netns VMs, 5 s boot): wall time, API requests, SSH logins per VM. */
export async function deployScalingBenchmark(): Promise<void> {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('deploy-scaling needs root (network namespaces)');
  const cloud = await startBenchCloud({ bootDelayMs: BOOT_DELAY_MS });
  const rows: Row[] = [];
  let statusPairs: StatusPairs | undefined;
  const plan = Array.from({ length: ROUNDS }, (_, round) => COUNTS.map((_, i) => ({ round: round + 1, count: COUNTS[(i + round) % COUNTS.length]! }))).flat();
  try {
    for (const { round, count } of plan) {
      const { dir, home } = tempProject('e2e-workspace');
      const env = { PATH: process.env.PATH, NO_COLOR: '1', HOME: home, ...cloud.env, KAMAL_DEV_TEST_TOKEN: 'bench-token' };
      try {
        const before = cloud.requests().byRoute;
        const startedAt = Date.now();
        const run = await timeProcess([process.execPath, '--import', PEAK_RSS, BIN, '--progress', 'json', 'deploy', '--count', String(count), '--yes'], { cwd: dir, env, timeoutMs: 900_000 });
        const peakKb = Number(/^PEAK_RSS_KB (\d+)$/m.exec(run.stderr)?.[1]);
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
          peak_rss_mb: Math.round(peakKb / 1024),
          status_ms: Number.NaN,
          last_workspace_reached_ms: stepTimeline(run.stderr, startedAt),
          round,
          loadavg_1m: load1(),
        });
        // after the SSH logins of the deploy were counted: status logs in once more
        const status = await kamalDev(['status'], { cwd: dir, env, timeoutMs: 300_000 });
        if (status.code !== 0) process.stderr.write(`status after deploy --count ${count} exited ${status.code}:\n${status.stderr.slice(-2000)}\n`);
        rows[rows.length - 1]!.status_ms = ms(status.ms);
        if (count === 10 && !statusPairs) {
          const pairs: StatusPairs = { pairs: STATUS_PAIRS, one_ms: [], all_ms: [], loadavg_1m: [] };
          const one = Object.keys(state).sort()[0]!;
          for (let i = 0; i < STATUS_PAIRS; i += 1) {
            for (const args of i % 2 === 0 ? [[one], []] : [[], [one]]) {
              const timed = await kamalDev(['status', ...args], { cwd: dir, env, timeoutMs: 300_000 });
              if (timed.code !== 0) throw new Error(`status ${args.join(' ')} exited ${timed.code}: ${timed.stderr.slice(-2000)}`);
              (args.length ? pairs.one_ms : pairs.all_ms).push(ms(timed.ms));
            }
            pairs.loadavg_1m.push(load1());
          }
          statusPairs = pairs;
        }
        const removed = await kamalDev(['remove', '--all', '--force'], { cwd: dir, env, timeoutMs: 600_000 });
        if (removed.code !== 0 || cloud.liveServers() !== 0) throw new Error(`remove --all --force left ${cloud.liveServers()} VMs (exit ${removed.code}): ${removed.stderr}`);
      } finally {
        rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    }
  } finally {
    await cloud.close();
  }
  const of = (n: number) => rows.filter((r) => r.count === n);
  const t = (n: number) => median(of(n).map((r) => r.wall_ms));
  const scaling = ratio(t(10), t(1));
  const n10 = of(10).at(-1);
  const statusOf = (n: number) => median(of(n).map((r) => r.status_ms));
  const statusScaling = ratio(statusOf(10), statusOf(1));
  const pairedStatus = statusPairs ? ratio(median(statusPairs.all_ms), median(statusPairs.one_ms)) : Number.NaN;
  const maxSsh = Math.max(...rows.flatMap((r) => r.ssh_logins_per_vm));
  const n1OverBoot = t(1) - BOOT_DELAY_MS;
  printTable(`Deploy scaling on the local cloud (netns VMs, ${BOOT_DELAY_MS / 1000} s boot; ${ROUNDS} rounds, order rotating)`,
    ['ROUND', 'N', 'WALL s', 'EXIT', 'RUNNING', 'API REQUESTS', 'SSH LOGINS PER VM', 'PEAK RSS MB', 'STATUS s', 'LOAD 1m'],
    rows.map((r) => [r.round, r.count, (r.wall_ms / 1000).toFixed(1), String(r.exit), `${r.running}/${r.count}`, r.api_requests, r.ssh_logins_per_vm.join(' '), r.peak_rss_mb, (r.status_ms / 1000).toFixed(2), r.loadavg_1m]));
  console.log(`medians: ${COUNTS.map((n) => `t(${n}) ${(t(n) / 1000).toFixed(1)} s, status(${n}) ${(statusOf(n) / 1000).toFixed(2)} s`).join('; ')}`);
  if (statusPairs) {
    console.log(`status on 1 of the 10 vs all 10, ${statusPairs.pairs} alternated pairs: ${(median(statusPairs.one_ms) / 1000).toFixed(2)} s vs ${(median(statusPairs.all_ms) / 1000).toFixed(2)} s = ${pairedStatus} (load ${statusPairs.loadavg_1m.join(' ')})`);
  }
  const verdict = (ok: boolean) => (ok ? 'OK' : 'OVER TARGET');
  console.log(`t(10)/t(1) = ${scaling} (target <= ${TARGET_RATIO}) ${verdict(scaling <= TARGET_RATIO)}`);
  console.log(`t(1) - boot = ${(n1OverBoot / 1000).toFixed(1)} s (target <= ${TARGET_N1_OVER_BOOT_MS / 1000} s) ${verdict(n1OverBoot <= TARGET_N1_OVER_BOOT_MS)}`);
  console.log(`API requests for N=10: ${n10?.api_requests} (target <= ${TARGET_REQUESTS_N10}) ${verdict((n10?.api_requests ?? Infinity) <= TARGET_REQUESTS_N10)}`);
  console.log(`peak RSS for N=10: ${n10?.peak_rss_mb} MB (target <= ${TARGET_PEAK_RSS_MB}) ${verdict((n10?.peak_rss_mb ?? Infinity) <= TARGET_PEAK_RSS_MB)}`);
  console.log(`status(10)/status(1) = ${statusScaling} across deployments, ${pairedStatus} on one (target <= ${TARGET_STATUS_RATIO}) ${verdict(statusScaling <= TARGET_STATUS_RATIO)}; SSH logins per VM: max ${maxSsh} (target ${TARGET_SSH_PER_VM})`);
  for (const r of rows) console.log(`N=${r.count} requests: ${JSON.stringify(r.requests_by_route)}`);
  const steps = [...new Set(rows.flatMap((r) => Object.keys(r.last_workspace_reached_ms)))];
  printTable('When the last workspace reached each step (s after the spawn)', ['STEP', ...rows.map((r) => `N=${r.count} r${r.round}`)],
    steps.map((step) => [step, ...rows.map((r) => (r.last_workspace_reached_ms[step] === undefined ? '-' : (r.last_workspace_reached_ms[step] / 1000).toFixed(1)))]));
  await writeResult('deploy-scaling', {
    boot_delay_ms: BOOT_DELAY_MS,
    rounds: ROUNDS,
    runs: rows,
    median_wall_ms: Object.fromEntries(COUNTS.map((n) => [n, ms(t(n))])),
    median_status_ms: Object.fromEntries(COUNTS.map((n) => [n, ms(statusOf(n))])),
    status_pairs_on_10: statusPairs,
    status_all10_over_one_paired: pairedStatus,
    t10_over_t1: scaling,
    target_t10_over_t1: TARGET_RATIO,
    t1_minus_boot_ms: ms(n1OverBoot),
    target_t1_minus_boot_ms: TARGET_N1_OVER_BOOT_MS,
    api_requests_n10: n10?.api_requests,
    target_api_requests_n10: TARGET_REQUESTS_N10,
    peak_rss_mb_n10: n10?.peak_rss_mb,
    target_peak_rss_mb: TARGET_PEAK_RSS_MB,
    status10_over_status1: statusScaling,
    target_status10_over_status1: TARGET_STATUS_RATIO,
    max_ssh_logins_per_vm: maxSsh,
    target_ssh_logins_per_vm: TARGET_SSH_PER_VM,
    note: 'SSH logins are the "Accepted publickey" lines of each VM\'s sshd log after the deploy and its status. Peak RSS is the deploy process\'s own maxRSS (process.resourceUsage) at exit. Ratios are of medians over the rounds; status_pairs_on_10 alternates `status NAME` and `status` on the deployment of 10.',
  });
}
