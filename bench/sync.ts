import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSyncTree } from '../src/project/sync-tree.js';
import { tempProject } from '../test/helpers/project.js';
import { startBenchCloud } from './lib/local-cloud.js';
import { kamalDev, requireBuild, timeProcess } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, summarize } from './lib/stats.js';

const FILES = 5_000;
const FOLDERS = 50;
const BYTES = 50 * 1024 * 1024;
const ROUNDS = 5;

/** 5,000 files of random bytes (incompressible) in 50 folders, 50 MB in all. */
function writeTree(dir: string): void {
  const size = Math.floor(BYTES / FILES);
  for (let i = 0; i < FILES; i += 1) {
    const folder = path.join(dir, 'src', `d${i % FOLDERS}`);
    if (i < FOLDERS) mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `f${i}.bin`), randomBytes(size));
  }
}

/**
 * `kamal-dev sync NAME` of a 50 MB tree of 5,000 files into one workspace on the local cloud: building the tar
 * here, the first sync, then syncs after editing 10 files and deleting one, against OpenSSH alone piping the
 * same tree through `tar -c | ssh tar -x`.
 */
export async function syncBenchmark(): Promise<void> {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('sync needs root (network namespaces)');
  const cloud = await startBenchCloud({ bootDelayMs: 300 });
  const { dir, home } = tempProject('e2e-workspace');
  const env = { PATH: process.env.PATH, NO_COLOR: '1', HOME: home, ...cloud.env, KAMAL_DEV_TEST_TOKEN: 'bench-token', KAMAL_DEV_POLL_INTERVAL_MS: '300' };
  const devYml = path.join(dir, 'config/dev.yml');
  writeFileSync(devYml, readFileSync(devYml, 'utf8').replace('service: e2e-dev', 'service: sync-bench'));
  const builds: number[] = [];
  const syncs: number[] = [];
  const baseline: number[] = [];
  let first = Number.NaN;
  let filesThere = '';
  let deletedGone = false;
  try {
    writeTree(dir);
    const deployed = await kamalDev(['deploy', '--count', '1', '--yes'], { cwd: dir, env, timeoutMs: 600_000 });
    if (deployed.code !== 0) throw new Error(`deploy exited ${deployed.code}: ${deployed.stderr.slice(-2000)}`);
    const state = JSON.parse((await kamalDev(['list', '--format', 'json'], { cwd: dir, env })).stdout) as Record<string, { vm_ip: string }>;
    const [name, entry] = Object.entries(state)[0]!;
    const ssh = ['ssh', '-i', path.join(home, '.ssh', 'id_ed25519'), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${path.join(home, '.ssh', 'known_hosts')}`, '-o', 'LogLevel=ERROR', `root@${entry.vm_ip}`];
    const sync = async () => {
      const run = await kamalDev(['sync', name], { cwd: dir, env, timeoutMs: 600_000 });
      if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stderr.slice(-2000)}`);
      return run.ms;
    };
    first = await sync();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < 10; i += 1) writeFileSync(path.join(dir, 'src', `d${i}`, `f${i}.bin`), randomBytes(1024));
      if (round === 0) unlinkSync(path.join(dir, 'src', 'd49', 'f49.bin'));
      const started = performance.now();
      await buildSyncTree(dir);
      builds.push(performance.now() - started);
      syncs.push(await sync());
      const piped = await timeProcess(['sh', '-c', `tar -cf - --exclude=.kamal . | ${ssh.map((w) => `'${w}'`).join(' ')} 'mkdir -p /tmp/sync-baseline && tar -xf - -C /tmp/sync-baseline'`], { cwd: dir });
      baseline.push(piped.ms);
    }
    filesThere = (await timeProcess([...ssh, `find ~/.kamal-dev/workspaces/${name}/src -type f | wc -l`], { cwd: dir })).stdout.trim();
    deletedGone = (await timeProcess([...ssh, `test ! -e ~/.kamal-dev/workspaces/${name}/src/d49/f49.bin`], { cwd: dir })).code === 0;
  } finally {
    await kamalDev(['remove', '--all', '--force'], { cwd: dir, env, timeoutMs: 600_000 });
    rmSync(path.dirname(dir), { recursive: true, force: true });
    await cloud.close();
  }
  const s = summarize(syncs);
  const b = summarize(baseline);
  const t = summarize(builds);
  printTable(`sync of ${FILES} files, ${BYTES / 1024 / 1024} MB, one workspace on the local cloud (${ROUNDS} rounds after the first)`, ['MEASURE', 'MEDIAN ms', 'MIN ms', 'MAX ms'], [
    ['first sync (whole process)', ms(first), ms(first), ms(first)],
    ['sync after 10 edits (whole process)', ms(s.median), ms(s.min), ms(s.max)],
    ['building the tar in-process', ms(t.median), ms(t.min), ms(t.max)],
    ['OpenSSH alone: tar -c | ssh tar -x', ms(b.median), ms(b.min), ms(b.max)],
  ]);
  console.log(`files in the workspace after: ${filesThere} (expected ${FILES - 1}); the deleted file gone: ${deletedGone}`);
  await writeResult('sync', {
    files: FILES,
    bytes: BYTES,
    rounds: ROUNDS,
    first_sync_ms: ms(first),
    sync_median_ms: ms(s.median),
    sync_min_ms: ms(s.min),
    sync_max_ms: ms(s.max),
    build_tar_median_ms: ms(t.median),
    openssh_tar_pipe_median_ms: ms(b.median),
    files_in_workspace_after: Number(filesThere),
    deleted_file_gone: deletedGone,
    note: 'Every sync uploads the whole tree as one tar over SFTP (no delta), unpacks it and deletes what an earlier sync uploaded and is gone locally; the baseline pipes the same tree through OpenSSH without kamal-dev.',
  });
}
