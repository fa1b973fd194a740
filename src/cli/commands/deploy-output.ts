import type { DeployOutcome } from '../../deploy/deploy.js';
import { workspaceJson } from '../../deploy/plan-output.js';
import { renderTable } from '../../ui/table.js';
import type { Context } from '../context.js';

/**
 * The outcome of a deploy: a summary table, or the JSON of docs/commands.md#deploy with final statuses and
 * each workspace's `docker run` as it ran (null where the deploy never reached the VM).
 */
export function printDeployResults(ctx: Context, { plan, results }: DeployOutcome, format: 'text' | 'json'): void {
  if (format === 'json') {
    const workspaces = results.map((r) => {
      const planned = plan.workspaces.find((w) => w.name === r.name);
      const vm = planned?.vm ?? { action: 'create' as const, zone: '', plan: '' };
      return { ...workspaceJson(r.name, vm, r.plan), status: r.status, vm_id: r.vm_id, vm_ip: r.vm_ip, error: r.error ?? null };
    });
    ctx.out(ctx.scrub(JSON.stringify({ service: plan.service, workspaces }, null, 2)));
    return;
  }
  const rows = results.map((r) => [r.name, r.vm_ip ?? '-', r.status, r.error ?? r.action ?? '']);
  ctx.out(ctx.scrub(renderTable(['NAME', 'IP', 'STATUS', 'DETAILS'], rows)));
  if (results.every((r) => r.status === 'running')) ctx.log.success(`${results.length} workspace(s) running`);
}
