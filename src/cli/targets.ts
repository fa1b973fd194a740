import { indexOfName } from '../config/naming.js';
import type { AttachTarget } from '../deploy/exec.js';
import { StateError, UsageError } from '../lib/errors.js';
import type { Context } from './context.js';

export interface Targets {
  targets: AttachTarget[];
  /** With --all: the workspaces that are not running, and their status. */
  skipped: { name: string; status: string }[];
}

/**
 * The running workspaces a command gets into (exec, ssh, logs, forward), from the state only: an unknown NAME
 * is a usage error naming the known ones (exit 2); a NAME that is not running fails naming its status (exit 1);
 * `--all` takes the running ones and lists the others as skipped.
 */
export async function runningTargets(
  ctx: Context,
  command: string,
  selection: { name?: string | undefined; all?: boolean | undefined; start?: boolean | undefined },
): Promise<Targets> {
  const { name, all } = selection;
  if (name && all) throw new UsageError(`${command}: give a workspace NAME or --all, not both`);
  if (!name && !all) throw new UsageError(`${command}: give a workspace NAME${command === 'exec' ? ' or --all' : ''}`);
  if (selection.start) await startStopped(ctx, name);
  const { deployments } = await ctx.readState(ctx.stateFile());
  const known = Object.keys(deployments);
  if (name && !(name in deployments)) throw new UsageError(`${command}: no workspace named ${JSON.stringify(name)}; known: ${known.join(', ') || '(none)'}`);
  const config = await ctx.loadConfig();
  const { naming, service } = config.config;
  const targets: AttachTarget[] = [];
  const skipped: Targets['skipped'] = [];
  for (const workspace of name ? [name] : known) {
    const entry = deployments[workspace]!;
    if (entry.status !== 'running') {
      if (name) throw new StateError(`${command}: workspace ${name} is ${entry.status}, not running`, { hint: `kamal-dev start ${name}, or ${command} --start ${name}` });
      skipped.push({ name: workspace, status: entry.status });
      continue;
    }
    // A name outside the naming pattern (renamed by hand) has no index of its own.
    targets.push({ name: workspace, index: indexOfName(naming.pattern, service, workspace) ?? 0, entry });
  }
  return { targets, skipped };
}

/** `--start`: the stopped workspaces (NAME, or all of them) are started first, their VMs powered on where stopped. */
async function startStopped(ctx: Context, name: string | undefined): Promise<void> {
  const { deployments } = await ctx.readState(ctx.stateFile());
  const stopped = Object.entries(deployments).filter(([workspace, entry]) => (name === undefined || workspace === name) && entry.status === 'stopped');
  const { powerAction } = await import('./commands/power-action.js');
  for (const [workspace] of stopped) await powerAction(ctx, 'start', { name: workspace });
}
