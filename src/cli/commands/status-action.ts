import { collectStatus, type WorkspaceStatusReport } from '../../deploy/status.js';
import { renderTable } from '../../ui/table.js';
import type { Context } from '../context.js';
import { failIfAny, selectWorkspaces, withSession } from '../session.js';
import type { StatusOptions } from './status.js';

function uptime(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

function table(reports: readonly WorkspaceStatusReport[]): string {
  const rows = reports.map((r) => [
    r.name,
    r.vm_ip ?? '-',
    r.vm_state,
    r.container,
    r.image ?? '-',
    uptime(r.uptime_seconds),
    Object.entries(r.ports).map(([port, host]) => `${host}->${port}`).join(', ') || '-',
    r.error ?? '',
  ]);
  return renderTable(['NAME', 'IP', 'VM', 'CONTAINER', 'IMAGE', 'UPTIME', 'PORTS', 'ERROR'], rows);
}

/** `status`'s action: live reports of the selected workspaces. */
export async function statusAction(ctx: Context, options: StatusOptions): Promise<void> {
  const state = await ctx.readState(ctx.stateFile());
  if (Object.keys(state.deployments).length === 0) {
    ctx.io.stderr.write('No deployments found\n');
    if (options.format === 'json') ctx.out('{}');
    return;
  }
  const names = await selectWorkspaces(ctx, 'status', options, true);
  await withSession(ctx, async ({ scope, deps }) => {
    const reports = await collectStatus(scope, names, deps);
    ctx.endProgress();
    ctx.out(options.format === 'json' ? JSON.stringify(Object.fromEntries(reports.map((r) => [r.name, r])), null, 2) : table(reports));
    failIfAny(reports.filter((r) => r.error).map((r) => r.name), reports.length, 'could not be inspected');
  }, { workspaces: names });
}
