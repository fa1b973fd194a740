import { streamLogs } from '../../deploy/logs.js';
import { CancelledError, CommandExit } from '../../lib/errors.js';
import { loadAttachPlan } from '../attach-plan.js';
import type { Context } from '../context.js';
import { withSession } from '../session.js';
import { runningTargets } from '../targets.js';
import type { LogsOptions } from './logs.js';

/** `logs`'s action: the log as it comes, stdout and stderr apart; Ctrl-C ends `-f` (exit 130). */
export async function logsAction(ctx: Context, o: LogsOptions): Promise<void> {
  const { targets } = await runningTargets(ctx, 'logs', { name: o.name });
  const { service, allSecrets } = await loadAttachPlan(ctx);
  const code = await withSession(
    ctx,
    ({ deps }) => streamLogs(targets[0]!, service, o, deps, (chunk, stream) => ctx.io[stream].write(chunk)).catch((error: unknown) => {
      if (error instanceof CancelledError) return 130;
      throw error;
    }),
    { secrets: allSecrets },
  );
  throw new CommandExit(code);
}
