import type { LoadedConfig } from '../config/load.js';
import type { LoadedSecrets } from '../config/secrets.js';
import type { LifecycleDeps } from '../deploy/ports.js';
import { OperationFailedError, StateError, UsageError } from '../lib/errors.js';
import { loadConfigSecrets } from '../project/secrets.js';
import type { ServiceScope } from '../providers/labels.js';
import type { Context } from './context.js';

export interface Session {
  config: LoadedConfig;
  /** The service and destination whose VMs the command sees. */
  scope: ServiceScope;
  secrets: LoadedSecrets;
  deps: LifecycleDeps;
}

/**
 * Everything a command that touches the provider and the VMs needs, for the length of `fn`: the progress view
 * is ended and every SSH connection closed once, whatever `fn` does. Credentials are resolved first, so a
 * command without them refuses before doing anything.
 */
export async function withSession<T>(ctx: Context, fn: (session: Session) => Promise<T>, loaded?: LoadedSecrets): Promise<T> {
  const config = await ctx.loadConfig();
  const secrets = loaded ?? (await loadConfigSecrets(config, ctx.env, ctx.signal));
  ctx.addSecrets(secrets.values.values());
  const provider = await ctx.provider(config, secrets);
  const connector = await ctx.connector(config, secrets);
  const deps: LifecycleDeps = {
    provider,
    state: await ctx.stateStore(config.statePath),
    connector,
    events: ctx.events(),
    notices: ctx.log,
    now: ctx.now,
    signal: ctx.signal,
    settings: ctx.settings(),
  };
  try {
    return await fn({ config, scope: { service: config.config.service, destination: config.destination }, secrets, deps });
  } finally {
    ctx.endProgress();
    await connector.closeAll();
  }
}

export interface Selection {
  name?: string | undefined;
  all?: boolean | undefined;
}

/**
 * The workspaces a command acts on: NAME or --all (both or neither is a usage error, exit 2; `allByDefault`
 * makes neither mean all). An unknown NAME fails (exit 1) listing the known ones. Reads the state only.
 */
export async function selectWorkspaces(ctx: Context, command: string, selection: Selection, allByDefault = false): Promise<string[]> {
  const { name } = selection;
  const all = selection.all ?? (allByDefault && !name);
  if (name && all) throw new UsageError(`${command}: give a workspace NAME or --all, not both`);
  if (!name && !all) throw new UsageError(`${command}: give a workspace NAME or --all`, { hint: `kamal-dev ${command} --all` });
  const known = Object.keys((await ctx.readState(ctx.stateFile())).deployments);
  if (all) return known;
  if (!known.includes(name!)) throw new StateError(`no workspace named ${name}; known: ${known.join(', ') || '(none)'}`);
  return [name!];
}

/** Every result reported; the command then exits 1 when any failed (docs/exit-codes.md). */
export function failIfAny(failed: readonly string[], total: number, what: string): void {
  if (failed.length > 0) throw new OperationFailedError(`${failed.length} of ${total} workspace(s) ${what}: ${failed.join(', ')}`);
}
