import type { SyncTree } from '../../config/content-plan.js';
import { bindOnVm, type AttachTarget } from '../exec.js';
import type { LifecycleDeps } from '../ports.js';
import { homeDir } from '../remote-steps.js';
import { runEach } from '../runner.js';
import type { ServicePlan } from '../workspace.js';
import { syncPaths, syncTree } from './sync.js';

export interface SyncRow {
  name: string;
  uploaded: number;
  deleted: number;
  error?: string;
}

/** `kamal-dev sync`: the local tree into each workspace's folder on its VM, all at once (bounded). */
export async function syncEach(targets: readonly AttachTarget[], service: ServicePlan, tree: SyncTree, deps: LifecycleDeps): Promise<SyncRow[]> {
  return runEach(targets, deps, {
    run: async (target, step): Promise<SyncRow> => {
      const { executor, plan } = await bindOnVm(target, service, deps);
      step('sync.upload');
      const result = await syncTree(executor, tree, plan.workspaceDir, syncPaths(await homeDir(executor), target.name), deps.signal);
      return { name: target.name, ...result };
    },
    done: (row) => ({ outcome: 'ok', summary: `synced ${row.uploaded} file(s), deleted ${row.deleted}` }),
    failed: (target, failure) => ({ name: target.name, uploaded: 0, deleted: 0, error: failure.message }),
  });
}
