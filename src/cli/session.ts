import type { LoadedConfig } from '../config/load.js';
import type { LoadedSecrets } from '../config/secrets.js';
import type { LifecycleDeps } from '../deploy/ports.js';
import type { State } from '../state/schema.js';
import { OperationFailedError, StateError, UsageError } from '../lib/errors.js';
import type { HookName, HookRun, Hooks } from '../project/hooks.js';
import { loadConfigSecrets } from '../project/secrets.js';
import type { ServiceScope } from '../providers/labels.js';
import type { Context } from './context.js';

export interface Session {
  config: LoadedConfig;
  /** The command's hooks, checked already; pre-connect has run. */
  hooks: Hooks;
  /** The service and destination whose VMs the command sees. */
  scope: ServiceScope;
  secrets: LoadedSecrets;
  deps: LifecycleDeps;
}

/** The hooks each command runs besides pre-connect, which every command that opens a session runs. */
const COMMAND_HOOKS: Readonly<Record<string, readonly HookName[]>> = {
  deploy: ['pre-deploy', 'post-deploy'],
  remove: ['pre-remove', 'post-remove'],
};

/** What a hook is told about `names` (default: every workspace of the state): them, and their VMs' IPs. */
export function hookRun(state: State, names?: readonly string[]): HookRun {
  const workspaces = names ?? Object.keys(state.deployments);
  return { workspaces, hosts: workspaces.flatMap((name) => state.deployments[name]?.vm_ip ?? []) };
}

export interface SessionOptions {
  /** The secrets, when the command has loaded them already. */
  secrets?: LoadedSecrets | undefined;
  /** The workspaces the command acts on, for the pre-connect hook (default: all of the state). */
  workspaces?: readonly string[] | undefined;
}

/**
 * Everything a command that touches the provider and the VMs needs, for the length of `fn`: the progress view
 * is ended and every SSH connection closed once, whatever `fn` does. Credentials and the command's hooks are
 * checked first, so a command without them refuses before doing anything; then the pre-connect hook runs.
 */
export async function withSession<T>(ctx: Context, fn: (session: Session) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const config = await ctx.loadConfig();
  const secrets = options.secrets ?? (await loadConfigSecrets(config, ctx.env, ctx.signal));
  ctx.addSecrets(secrets.values.values());
  const hooks = await ctx.hooks(config);
  hooks.check(['pre-connect', ...(COMMAND_HOOKS[ctx.command] ?? [])]);
  const provider = await ctx.provider(config, secrets);
  const connector = await ctx.connector(config, secrets);
  const state = await ctx.stateStore(config.statePath);
  await hooks.run('pre-connect', hookRun(await state.read(), options.workspaces));
  const deps: LifecycleDeps = {
    provider,
    state,
    connector,
    events: ctx.events(),
    notices: ctx.log,
    now: ctx.now,
    signal: ctx.signal,
    settings: ctx.settings(),
  };
  try {
    return await fn({ config, hooks, scope: { service: config.config.service, destination: config.destination }, secrets, deps });
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
