import type { WorkspaceResult } from '../../deploy/apply.js';
import { renderTable } from '../../ui/table.js';
import type { Context } from '../context.js';

/** The outcome of a deploy: a summary table (stdout) or SPEC section 5's JSON shape with final statuses. */
export function printDeployResults(
  ctx: Context,
  service: string,
  results: readonly WorkspaceResult[],
  format: 'text' | 'json',
  details: (name: string) => { vm: { action: string; zone: string; plan: string }; docker_run: readonly string[]; env_file_keys: readonly string[] },
): void {
  if (format === 'json') {
    const workspaces = results.map((r) => ({
      name: r.name,
      ...details(r.name),
      status: r.status,
      vm_id: r.vm_id,
      vm_ip: r.vm_ip,
      error: r.error ?? null,
    }));
    ctx.out(ctx.scrub(JSON.stringify({ service, workspaces }, null, 2)));
    return;
  }
  const rows = results.map((r) => [r.name, r.vm_ip ?? '-', r.status, r.error ?? r.action ?? '']);
  ctx.out(ctx.scrub(renderTable(['NAME', 'IP', 'STATUS', 'DETAILS'], rows)));
  const failed = results.filter((r) => r.status !== 'running');
  if (failed.length === 0) ctx.log.success(`${results.length} workspace(s) running`);
  else ctx.log.error(`${failed.length} of ${results.length} workspace(s) not running: ${failed.map((r) => r.name).join(', ')}`);
}
