import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempProject } from '../test/helpers/project.js';
import { acceptedSshLogins, startBenchCloud } from './lib/local-cloud.js';
import { kamalDev, requireBuild, timeProcess } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, ratio, summarize } from './lib/stats.js';

const COUNTS = [1, 10] as const;
const ROUNDS = 7;
const TARGET_RATIO = 1.3;

interface Fleet {
  count: number;
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  ips: string[];
  names: string[];
  times: number[];
  /** The floor: the system's OpenSSH running `docker exec NAME true` on every VM at once, no kamal-dev. */
  baseline: number[];
  exits: (number | null)[];
  /** Per round: the SSH logins each VM's sshd accepted during that run. */
  logins: number[][];
}

/** Wall time of OpenSSH's `ssh root@IP docker exec NAME true` to every VM of the fleet at once. */
async function openSshAll(fleet: Fleet): Promise<number> {
  const started = performance.now();
  const key = path.join(fleet.home, '.ssh', 'id_ed25519');
  await Promise.all(
    fleet.ips.map((ip, i) =>
      timeProcess(['ssh', '-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${path.join(fleet.home, '.ssh', 'known_hosts')}`, '-o', 'LogLevel=ERROR', `root@${ip}`, 'docker', 'exec', fleet.names[i]!, 'true'], { cwd: fleet.dir }),
    ),
  );
  return performance.now() - started;
}

/**
 * `exec --all -- true` on a service with 10 running workspaces vs one with 1, on the local cloud (netns VMs):
 * the rounds alternate between the two, and each run's SSH logins are counted in each VM's sshd log.
 */
export async function execScalingBenchmark(): Promise<void> {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('exec-scaling needs root (network namespaces)');
  const cloud = await startBenchCloud({ bootDelayMs: 300 });
  const fleets: Fleet[] = [];
  try {
    for (const count of COUNTS) {
      const { dir, home } = tempProject('e2e-workspace');
      const env = { PATH: process.env.PATH, NO_COLOR: '1', HOME: home, ...cloud.env, KAMAL_DEV_TEST_TOKEN: 'bench-token', KAMAL_DEV_POLL_INTERVAL_MS: '300' };
      // each service its own name, so the two fleets share the cloud without adopting each other's VMs
      const devYml = path.join(dir, 'config/dev.yml');
      writeFileSync(devYml, readFileSync(devYml, 'utf8').replace('service: e2e-dev', `service: exec-bench-${count}`));
      const deployed = await kamalDev(['deploy', '--count', String(count), '--yes'], { cwd: dir, env, timeoutMs: 900_000 });
      if (deployed.code !== 0) throw new Error(`deploy --count ${count} exited ${deployed.code}: ${deployed.stderr.slice(-2000)}`);
      const state = JSON.parse((await kamalDev(['list', '--format', 'json'], { cwd: dir, env })).stdout) as Record<string, { vm_ip: string }>;
      fleets.push({ count, dir, home, env, ips: Object.values(state).map((e) => e.vm_ip), names: Object.keys(state), times: [], baseline: [], exits: [], logins: [] });
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const fleet of fleets) {
        const before = fleet.ips.map(acceptedSshLogins);
        const run = await kamalDev(['exec', '--all', '--', 'true'], { cwd: fleet.dir, env: fleet.env, timeoutMs: 120_000 });
        fleet.times.push(run.ms);
        fleet.exits.push(run.code);
        fleet.logins.push(fleet.ips.map((ip, i) => acceptedSshLogins(ip) - before[i]!));
        fleet.baseline.push(await openSshAll(fleet));
      }
    }
  } finally {
    for (const fleet of fleets) {
      await kamalDev(['remove', '--all', '--force'], { cwd: fleet.dir, env: fleet.env, timeoutMs: 600_000 });
      rmSync(path.dirname(fleet.dir), { recursive: true, force: true });
    }
    await cloud.close();
  }
  const rows = fleets.map((f) => ({ count: f.count, ...summarize(f.times), baseline: summarize(f.baseline).median, exits: f.exits, logins: f.logins }));
  const median = (n: number) => rows.find((r) => r.count === n)?.median ?? Number.NaN;
  const scaling = ratio(median(10), median(1));
  const maxLogins = Math.max(...rows.flatMap((r) => r.logins.flat()));
  const baseline = (n: number) => rows.find((r) => r.count === n)?.baseline ?? Number.NaN;
  const floor = ratio(baseline(10), baseline(1));
  printTable(`exec --all -- true on the local cloud (netns VMs), median of ${ROUNDS} alternating runs`, ['WORKSPACES', 'MEDIAN ms', 'P90 ms', 'MIN ms', 'MAX ms', 'EXITS', 'MAX SSH LOGINS PER VM PER RUN', 'OPENSSH ALONE ms'],
    rows.map((r) => [r.count, ms(r.median), ms(r.p90), ms(r.min), ms(r.max), r.exits.join(' '), Math.max(...r.logins.flat()), ms(r.baseline)]));
  console.log(`t(10)/t(1) = ${scaling} (target <= ${TARGET_RATIO}); SSH logins per VM per run: max ${maxLogins} (target 1); OpenSSH alone, 10 vs 1: ${floor}`);
  await writeResult('exec-scaling', {
    rounds: ROUNDS,
    runs: rows.map((r) => ({ workspaces: r.count, median_ms: ms(r.median), p90_ms: ms(r.p90), min_ms: ms(r.min), max_ms: ms(r.max), exits: r.exits, ssh_logins_per_vm: r.logins, openssh_alone_median_ms: ms(r.baseline) })),
    t10_over_t1: scaling,
    openssh_alone_t10_over_t1: floor,
    target_t10_over_t1: TARGET_RATIO,
    max_ssh_logins_per_vm_per_run: maxLogins,
    note: 'Wall time of the whole process (spawn to exit), so both include start-up, reading the state and the devcontainer, and connecting; SSH logins are "Accepted publickey" lines of each VM\'s sshd log during the run. "OpenSSH alone" runs ssh root@IP docker exec NAME true to every VM at once in the same rounds: the cost of the SSH logins and docker execs themselves, whose sshd, dockerd and runc share the 2 cores with kamal-dev.',
  });
}
