import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud } from '../e2e/local-cloud.js';
import { printTable, writeResult } from '../../bench/lib/report.js';
import { deployEnd, duplicateVms, removeAll, untrackedVms, type DeployEnd } from './helpers/cloud-checks.js';

const ROUNDS = Number(process.env.RELIABILITY_FAULT_ROUNDS ?? 20);
const WORKSPACES = 3;
const FAULT_RATE = 0.2;
const KINDS = ['5xx', '429', 'drop', 'create-500'];

describeIf(requirements(), `API faults: ${ROUNDS} deploys of ${WORKSPACES} workspaces at fault rate ${FAULT_RATE}, each followed by remove --all --force`, () => {
  let cloud: LocalCloud;
  const faults = (body: object) => fetch(`${cloud.emulator.url}/_localcloud/faults`, { method: 'POST', body: JSON.stringify(body) });

  beforeAll(async () => {
    cloud = await startLocalCloud(300);
  }, 180_000);
  afterAll(async () => {
    await cloud?.close();
  }, 300_000);

  it('creates no duplicate VM, leaves no VM, and every deploy ends all running or with a clear error per workspace', async () => {
    const rounds: Array<Record<string, unknown>> = [];
    const ends: Record<DeployEnd, number> = { 'all-running': 0, 'clear-per-workspace-errors': 0, 'clear-error-before-workspaces': 0, unclear: 0 };
    let duplicates = 0;
    let untracked = 0;
    let leftAfterFirstRemove = 0;
    let leftAfterRetries = 0;
    let removesHung = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const project = e2eProject(cloud);
      const stateFile = path.join(project.dir, '.kamal/dev_state.yml');
      await faults({ fault_rate: FAULT_RATE, seed: round, kinds: KINDS });
      const deploy = await project.run(['deploy', '--count', String(WORKSPACES), '--yes']);
      const listed = await project.run(['list', '--format', 'json']);
      const entries = JSON.parse(listed.stdout || '{}') as Record<string, { status: string; error?: string }>;
      const { end, why } = deployEnd(deploy, entries, WORKSPACES);
      ends[end] += 1;
      const dup = await duplicateVms(cloud);
      const lost = await untrackedVms(cloud, stateFile);
      duplicates += dup.length;
      untracked += lost.length;
      // remove under the same faults; a user whose remove failed runs it again
      const removes: Array<number | string | null> = [];
      let left = Number.NaN;
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const removed = await removeAll(project);
        if (removed.hung) removesHung += 1;
        removes.push(removed.hung ? 'hung' : removed.code);
        left = (await cloud.stats()).live_servers;
        if (attempt === 1) leftAfterFirstRemove += left;
        if ((removes.at(-1) === 0 || removes.at(-1) === 'hung') && left === 0) break;
      }
      leftAfterRetries += left;
      const faultCounts = (await cloud.stats()) as unknown as { faults: Record<string, number> };
      rounds.push({ round, deploy_exit: deploy.code, end, why, duplicates: dup, untracked: lost, remove_exits: removes, vms_left: left, faults_so_far: faultCounts.faults });
      console.log(`round ${round}: deploy exit ${deploy.code} ${end} ${why}; removes ${removes.join(',')}; VMs left ${left}`);
      if (left > 0) {
        // clean up without faults so the next round starts empty, and say so
        await faults({ fault_rate: 0 });
        await removeAll(project);
        console.log(`round ${round}: ${left} VM(s) left after 3 removes under faults`);
      }
      rmSync(path.dirname(project.dir), { recursive: true, force: true });
    }
    await faults({ fault_rate: 0 });
    const summary = { rounds: ROUNDS, workspaces_per_deploy: WORKSPACES, fault_rate: FAULT_RATE, fault_kinds: KINDS, deploy_ends: ends, duplicate_vms: duplicates, untracked_vms_after_deploy: untracked, vms_left_after_first_remove: leftAfterFirstRemove, vms_left_after_up_to_3_removes: leftAfterRetries, removes_hung_after_finishing: removesHung };
    printTable('API faults: per round', ['ROUND', 'DEPLOY EXIT', 'END', 'DUPLICATES', 'UNTRACKED', 'REMOVE EXITS', 'VMS LEFT'],
      rounds.map((r) => [r.round as number, String(r.deploy_exit), r.end as string, (r.duplicates as string[]).length, (r.untracked as string[]).length, (r.remove_exits as number[]).join(','), r.vms_left as number]));
    printTable('API faults: counts', ['COUNT', 'VALUE'], Object.entries(summary).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
    await writeResult('reliability-api-faults', { ...summary, per_round: rounds });
    expect(duplicates).toBe(0);
    expect(untracked).toBe(0);
    expect(leftAfterRetries).toBe(0);
    expect(ends.unclear).toBe(0);
    expect(removesHung, 'remove --all --force must exit once its work is done (see removeAll)').toBe(0);
  }, 3_600_000);
});
