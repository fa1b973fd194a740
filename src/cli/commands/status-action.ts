import { collectStatus, type WorkspaceStatusReport } from '../../deploy/status.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { statePath } from '../../state/paths.js';
import { readState } from '../../state/read.js';
import { renderTable } from '../../ui/table.js';
import type { Context } from '../context.js';
import { openSession } from '../session.js';
import { selectWorkspaces } from './select.js';

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
export async function statusAction(ctx: Context, name: string | undefined, options: { all?: boolean; format: 'table' | 'json' }): Promise<void> {
  const state = await readState(statePath(ctx.cwd));
  if (Object.keys(state.deployments).length === 0) {
    ctx.io.stderr.write('No deployments found\n');
    if (options.format === 'json') ctx.out('{}');
    return;
  }
  const names = selectWorkspaces(state, name, options.all ?? !name, 'status');
  const session = await openSession(ctx);
  try {
    const reports = await collectStatus(session.config.config.service, names, session.deps);
    session.deps.progress.done();
    ctx.out(options.format === 'json' ? JSON.stringify(Object.fromEntries(reports.map((r) => [r.name, r])), null, 2) : table(reports));
    if (reports.some((r) => r.error)) ctx.exitCode = ExitCode.failed;
  } finally {
    await session.close();
  }
}
