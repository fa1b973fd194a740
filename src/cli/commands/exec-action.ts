import { execEach, type AttachTarget } from '../../deploy/exec.js';
import { expandPlaceholders } from '../../deploy/placeholders.js';
import { CommandExit, OperationFailedError, UsageError } from '../../lib/errors.js';
import { PrefixedOutput } from '../../ui/prefixed.js';
import { loadAttachPlan } from '../attach-plan.js';
import type { Context } from '../context.js';
import { withSession } from '../session.js';
import { runningTargets } from '../targets.js';
import type { ExecOptions } from './exec.js';

/** Refuses what cannot run, before anything is loaded or started (docs/commands.md#exec). */
function checkUsage(ctx: Context, o: ExecOptions): void {
  if (o.argv.length === 0) throw new UsageError('exec: no command after --', { hint: 'kamal-dev exec NAME -- CMD [ARGS...]' });
  if (o.all && (o.tty || o.interactive)) throw new UsageError(`exec: ${o.tty ? '-t' : '-i'} works with one workspace, not --all`);
  if (o.tty && !ctx.io.stdin.isTTY) throw new UsageError('exec: -t needs a terminal on stdin');
}

/** `exec`'s action: one workspace (its exit code is ours) or every running one (0 when all succeeded, else 1). */
export async function execAction(ctx: Context, o: ExecOptions): Promise<void> {
  checkUsage(ctx, o);
  const { targets, skipped } = await runningTargets(ctx, 'exec', o);
  const argvOf = (t: AttachTarget) => o.argv.map((arg) => expandPlaceholders(arg, t));
  for (const t of targets) argvOf(t); // an unknown placeholder fails here, before anything starts
  if (o.interactive || o.tty) return (await import('./attach-action.js')).attachInteractive(ctx, targets[0]!, argvOf(targets[0]!), { tty: o.tty, postAttach: false });
  for (const s of skipped) ctx.log.warn(`${s.name}: skipped (${s.status})`);
  if (targets.length === 0) throw new OperationFailedError('exec: no workspace is running');
  const { service, allSecrets } = await loadAttachPlan(ctx);
  const prefixed = new PrefixedOutput(ctx.io, targets.map((t) => t.name), ctx.colour);
  const onOutput = (name: string, chunk: string, stream: 'stdout' | 'stderr') => {
    if (o.format === 'json') return;
    if (o.all) prefixed.write(name, chunk, stream);
    else ctx.io[stream].write(chunk);
  };
  const rows = await withSession(
    ctx,
    ({ deps }) =>
      execEach(targets, service, argvOf, { ...deps, events: ctx.globals.progress === 'json' ? deps.events : () => undefined, settings: { ...deps.settings, concurrency: o.parallel ?? Math.max(1, targets.length) } }, onOutput),
    { secrets: allSecrets },
  );
  prefixed.flush();
  for (const row of rows) if (row.error) ctx.log.error(`${row.name}: ${row.error}`);
  if (o.format === 'json') ctx.out(JSON.stringify(rows.map(({ name, exit_code, stdout, stderr, duration_ms, error }) => ({ name, exit_code, stdout, stderr, duration_ms, ...(error ? { error } : {}) }))));
  if (ctx.signal.aborted) throw new CommandExit(130);
  if (!o.all) throw new CommandExit(rows[0]?.exit_code ?? 1);
  throw new CommandExit(rows.length > 0 && rows.every((r) => r.exit_code === 0) ? 0 : 1);
}
