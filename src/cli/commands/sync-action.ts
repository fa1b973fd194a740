import { syncEach } from '../../deploy/content/sync-each.js';
import { OperationFailedError } from '../../lib/errors.js';
import { buildSyncTree } from '../../project/sync-tree.js';
import { loadAttachPlan } from '../attach-plan.js';
import type { Context } from '../context.js';
import { failIfAny, withSession } from '../session.js';
import { runningTargets } from '../targets.js';
import type { SyncOptions } from './sync.js';

/** `sync`'s action: the tree is read and checked first (a bad entry refuses before anything is uploaded). */
export async function syncAction(ctx: Context, o: SyncOptions): Promise<void> {
  const { targets, skipped } = await runningTargets(ctx, 'sync', o);
  for (const s of skipped) ctx.log.warn(`${s.name}: skipped (${s.status})`);
  if (targets.length === 0) throw new OperationFailedError('sync: no workspace is running');
  const config = await ctx.loadConfig();
  const tree = await buildSyncTree(config.root);
  const { service, allSecrets } = await loadAttachPlan(ctx);
  const rows = await withSession(ctx, ({ deps }) => syncEach(targets, service, tree, deps), { secrets: allSecrets, workspaces: targets.map((t) => t.name) });
  for (const row of rows) {
    if (row.error) ctx.log.error(`${row.name}: ${row.error}`);
    else ctx.out(`${row.name}: synced ${row.uploaded} file(s), deleted ${row.deleted}`);
  }
  failIfAny(rows.filter((r) => r.error).map((r) => r.name), rows.length, 'not synced');
}
