import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { printTable, writeResult } from '../../../bench/lib/report.js';
import { e2eProject, type LocalCloud } from '../../e2e/local-cloud.js';
import { deployEnd, duplicateVms, removeAll, untrackedVms, type DeployEnd } from './cloud-checks.js';

export interface FaultRounds {
  cloud: LocalCloud;
  rounds: number;
  workspaces: number;
  faultRate: number;
  kinds: readonly string[];
  /** The name of bench/results/latest/<name>.json; none for the short version in npm test. */
  resultName?: string;
}

/**
 * Deploys under random API faults, each followed by `remove --all --force` (run again, up to 3 times, as a
 * user whose remove failed would), and checks what matters: no duplicate VM, none untracked, none left, every
 * deploy ending all running or with a clear error per workspace, no remove hung.
 */
export async function runFaultRounds(options: FaultRounds): Promise<void> {
  const { cloud, rounds: ROUNDS, workspaces: WORKSPACES, faultRate: FAULT_RATE, kinds: KINDS } = options;
  const faults = (body: object) => fetch(`${cloud.controlUrl!}/_localcloud/faults`, { method: 'POST', body: JSON.stringify(body) });
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
  const summary = { provider: cloud.kind, rounds: ROUNDS, workspaces_per_deploy: WORKSPACES, fault_rate: FAULT_RATE, fault_kinds: KINDS, deploy_ends: ends, duplicate_vms: duplicates, untracked_vms_after_deploy: untracked, vms_left_after_first_remove: leftAfterFirstRemove, vms_left_after_up_to_3_removes: leftAfterRetries, removes_hung_after_finishing: removesHung };
  printTable(`API faults (${cloud.kind}): per round`, ['ROUND', 'DEPLOY EXIT', 'END', 'DUPLICATES', 'UNTRACKED', 'REMOVE EXITS', 'VMS LEFT'],
    rounds.map((r) => [r.round as number, String(r.deploy_exit), r.end as string, (r.duplicates as string[]).length, (r.untracked as string[]).length, (r.remove_exits as number[]).join(','), r.vms_left as number]));
  printTable(`API faults (${cloud.kind}): counts`, ['COUNT', 'VALUE'], Object.entries(summary).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
  if (options.resultName) await writeResult(options.resultName, { ...summary, per_round: rounds });
  expect(duplicates).toBe(0);
  expect(untracked).toBe(0);
  expect(leftAfterRetries).toBe(0);
  expect(ends.unclear).toBe(0);
  expect(removesHung, 'remove --all --force must exit once its work is done (see removeAll)').toBe(0);
}
