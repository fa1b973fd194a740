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

/** `stopped (idle)`: stopped, not by kamal-dev, on a service with an idle watcher (docs/commands.md#status). */
function vmColumn(r: WorkspaceStatusReport, idleTimeout: number): string {
  return r.vm_state === 'stopped' && r.vm_stopped_by === 'provider' && idleTimeout > 0 ? 'stopped (idle)' : r.vm_state;
}

function money(amount: number | null | undefined, currency: string | undefined, suffix = ''): string {
  return amount === null || amount === undefined ? '-' : `${amount.toFixed(5)} ${currency ?? ''}${suffix}`;
}

function table(reports: readonly WorkspaceStatusReport[], idleTimeout: number): string {
  const rows = reports.map((r) => [
    r.name,
    r.vm_ip ?? '-',
    vmColumn(r, idleTimeout),
    r.container,
    r.image ?? '-',
    uptime(r.uptime_seconds),
    Object.entries(r.ports).map(([port, host]) => `${host}->${port}`).join(', ') || '-',
    money(r.cost?.hourly, r.cost?.currency, '/h'),
    money(r.cost?.since_deploy, r.cost?.currency),
    r.error ?? '',
  ]);
  return renderTable(['NAME', 'IP', 'VM', 'CONTAINER', 'IMAGE', 'UPTIME', 'PORTS', 'COST NOW', 'SINCE DEPLOY', 'ERROR'], rows);
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
  await withSession(ctx, async ({ config, scope, deps }) => {
    const reports = await collectStatus(scope, names, deps);
    ctx.endProgress();
    ctx.out(options.format === 'json' ? JSON.stringify(Object.fromEntries(reports.map((r) => [r.name, r])), null, 2) : table(reports, config.config.idle_timeout));
    failIfAny(reports.filter((r) => r.error).map((r) => r.name), reports.length, 'could not be inspected');
  }, { workspaces: names });
}
