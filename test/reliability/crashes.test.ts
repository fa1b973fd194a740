import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from '../e2e/local-cloud.js';
import { seededRandom } from '../localcloud/emulator/prng.js';
import { printTable, writeResult } from '../../bench/lib/report.js';
import { leftoversBeside, removeAll, stateFileHealth, untrackedVms } from './helpers/cloud-checks.js';

const ROUNDS = Number(process.env.RELIABILITY_CRASH_ROUNDS ?? 30);
const WORKSPACES = 2;

/** Starts `deploy` and SIGKILLs it after `afterMs` (if it is still running). */
function deployKilledAfter(project: Project, afterMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'deploy', '--count', String(WORKSPACES), '--yes'], {
      cwd: project.dir,
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...project.env },
      stdio: 'ignore',
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, afterMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ killed, code });
    });
  });
}

describeIf(requirements(), `crashes: ${ROUNDS} deploys SIGKILLed at a random moment, each followed by list --rebuild and remove --all --force`, () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud(300);
  }, 180_000);
  afterAll(async () => {
    await cloud?.close();
  }, 300_000);

  it('leaves no VM and no corrupt state file', async () => {
    const random = seededRandom(Number(process.env.RELIABILITY_SEED ?? 1));
    // a deploy that is not killed sets the window, so every kill lands inside a deploy
    const calibration = e2eProject(cloud);
    const started = Date.now();
    expect((await calibration.run(['deploy', '--count', String(WORKSPACES), '--yes'])).code).toBe(0);
    const KILL_WINDOW_MS = Date.now() - started;
    await removeAll(calibration);
    expect((await cloud.stats()).live_servers).toBe(0);
    rmSync(path.dirname(calibration.dir), { recursive: true, force: true });
    const rounds: Array<Record<string, unknown>> = [];
    let corrupt = 0;
    let vmsLeft = 0;
    let untrackedAfterRebuild = 0;
    let removesHung = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const project = e2eProject(cloud);
      const stateFile = path.join(project.dir, '.kamal/dev_state.yml');
      const killAt = Math.round(100 + random() * (KILL_WINDOW_MS - 100));
      const deploy = await deployKilledAfter(project, killAt);
      const afterKill = await stateFileHealth(stateFile);
      const leftovers = leftoversBeside(stateFile);
      const serversAtKill = (await cloud.stats()).live_servers;
      const rebuild = await project.run(['list', '--rebuild', '--format', 'json']);
      const afterRebuild = await stateFileHealth(stateFile);
      const lost = await untrackedVms(cloud, stateFile);
      const remove = await removeAll(project);
      if (remove.hung) removesHung += 1;
      const left = (await cloud.stats()).live_servers;
      const afterRemove = await stateFileHealth(stateFile);
      corrupt += [afterKill, afterRebuild, afterRemove].filter((h) => h.startsWith('corrupt')).length;
      vmsLeft += left;
      untrackedAfterRebuild += lost.length;
      rounds.push({
        round,
        kill_at_ms: killAt,
        killed: deploy.killed,
        vms_at_kill: serversAtKill,
        state_after_kill: afterKill,
        leftovers_after_kill: leftovers,
        rebuild_exit: rebuild.code,
        untracked_after_rebuild: lost,
        remove_exit: remove.hung ? 'hung' : remove.code,
        vms_left: left,
        state_after_remove: afterRemove,
        ...(remove.code !== 0 || rebuild.code !== 0 ? { stderr: `${rebuild.stderr.slice(-300)} | ${remove.stderr.slice(-300)}` } : {}),
      });
      console.log(`round ${round}: kill at ${killAt} ms (killed ${deploy.killed}), state ${afterKill}, rebuild exit ${rebuild.code}, remove ${remove.hung ? 'hung' : remove.code}, VMs left ${left}`);
      rmSync(path.dirname(project.dir), { recursive: true, force: true });
    }
    const summary = { rounds: ROUNDS, workspaces_per_deploy: WORKSPACES, kill_window_ms: KILL_WINDOW_MS, killed_mid_deploy: rounds.filter((r) => r.killed).length, corrupt_state_files: corrupt, untracked_vms_after_rebuild: untrackedAfterRebuild, vms_left: vmsLeft, removes_hung_after_finishing: removesHung };
    printTable('Crashes: per round', ['ROUND', 'KILL AT ms', 'KILLED', 'VMS AT KILL', 'STATE AFTER KILL', 'LEFTOVERS', 'REBUILD EXIT', 'UNTRACKED', 'REMOVE EXIT', 'VMS LEFT'],
      rounds.map((r) => [r.round as number, r.kill_at_ms as number, String(r.killed), r.vms_at_kill as number, r.state_after_kill as string, (r.leftovers_after_kill as string[]).join(' ') || '-', String(r.rebuild_exit), (r.untracked_after_rebuild as string[]).length, String(r.remove_exit), r.vms_left as number]));
    printTable('Crashes: counts', ['COUNT', 'VALUE'], Object.entries(summary));
    await writeResult('reliability-crashes', { ...summary, per_round: rounds });
    expect(corrupt).toBe(0);
    expect(untrackedAfterRebuild).toBe(0);
    expect(vmsLeft).toBe(0);
    expect(removesHung, 'remove --all --force must exit once its work is done (see removeAll)').toBe(0);
  }, 3_600_000);
});
