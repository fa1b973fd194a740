import { dockerRemove } from '../docker/commands.js';
import { composeSweep } from '../docker/compose.js';
import { requestLabels, type ServiceScope } from '../providers/labels.js';
import type { Entry } from '../state/schema.js';
import { exclusively } from './exclusive.js';
import type { LifecycleDeps } from './ports.js';
import { errorMessage, runEach } from './runner.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';

export interface RemoveResult {
  name: string;
  removed: boolean;
  error?: string;
}

/**
 * Removes workspaces: their containers (best effort), their VM once no other workspace uses it, then their
 * entries. An entry is dropped only after its VM is confirmed gone (or still used by a workspace that stays).
 */
export async function removeWorkspaces(scope: ServiceScope, names: readonly string[], deps: LifecycleDeps): Promise<RemoveResult[]> {
  return exclusively(deps, () => removeUnderLock(scope, names, deps));
}

async function removeUnderLock({ service, destination }: ServiceScope, names: readonly string[], deps: LifecycleDeps): Promise<RemoveResult[]> {
  const { deployments } = await deps.state.read();
  const removing = new Set(names);
  const sharedWithStaying = (entry: Entry) =>
    Object.entries(deployments).some(([other, e]) => !removing.has(other) && e.vm_id && e.vm_id === entry.vm_id);
  const destroyed = new Map<string, Promise<void>>();
  const destroyOnce = (id: string) => {
    let done = destroyed.get(id);
    if (!done) {
      done = deps.provider.destroyVm(id, deps.signal);
      destroyed.set(id, done);
    }
    return done;
  };

  return runEach(
    names.map((name) => ({ name })),
    deps,
    {
      run: async ({ name }, step): Promise<RemoveResult> => {
        const entry = deployments[name];
        if (!entry) return { name, removed: true };
        // Own hosts stay whatever happens: only the container and its files go.
        const keepVm = deps.provider.ownHosts === true || sharedWithStaying(entry);
        if (entry.vm_ip && (keepVm || entry.status === 'running')) {
          step('container.remove');
          await removeContainer(entry, keepVm, deps).catch((error: unknown) => {
            if (keepVm) throw error;
            deps.notices.verbose(`${name}: container not removed (${errorMessage(error)}); the VM goes anyway`);
          });
        }
        if (!keepVm) {
          const ids = new Set<string>();
          if (entry.vm_id) ids.add(entry.vm_id);
          if (entry.request_id) {
            // A create whose reply was lost still carries its request label.
            const labelled = await deps.provider.listVms(requestLabels(entry.service ?? service, entry.request_id, destination), deps.signal);
            for (const vm of labelled) ids.add(vm.id);
          }
          for (const id of ids) {
            step('vm.destroy', id);
            await destroyOnce(id);
          }
        }
        await deps.state.remove(name);
        return { name, removed: true };
      },
      done: () => ({ outcome: 'ok', summary: 'removed' }),
      failed: async ({ name }, { message, cancelled }) => {
        if (!cancelled) await deps.state.patch(name, { status: 'failed', error: message }).catch(() => undefined);
        return { name, removed: false, error: message };
      },
    },
  );
}

/**
 * Removes the container and, when the VM stays, its env file (which holds secrets); on an own host also the
 * workspace folder, since no VM deletion will take it.
 */
async function removeContainer(entry: Entry, keepVm: boolean, deps: LifecycleDeps): Promise<void> {
  const { executor } = await deps.connector.connect(entry.vm_ip!, entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.remove });
  await executor.run(dockerRemove(entry.container_name));
  if (entry.compose_project) {
    // The down script names the files and engine of the last deploy; the sweep catches what no file declares.
    const down = 'f="$HOME/.kamal-dev/compose/$1.down.sh"; if [ -f "$f" ]; then sh "$f"; fi; rm -rf "$HOME/.kamal-dev/compose/$1" "$f" "$HOME/.kamal-dev/compose/$1.override.yml"';
    await executor.run(['sh', '-c', down, 'compose-down', entry.container_name]);
    await executor.run(composeSweep(entry.compose_project));
  }
  if (!keepVm) return;
  // Both env files hold values (the secrets, remoteEnv); the lifecycle log holds the hooks' output.
  await executor.run(['sh', '-c', 'rm -f "$HOME/.kamal-dev/env/$1.env" "$HOME/.kamal-dev/env/$1.remote.env" "$HOME/.kamal-dev/logs/$1.lifecycle.log" "$HOME/.kamal-dev/sync/$1.manifest" "$HOME/.kamal-dev/sync/$1.tar"', 'rm-env', entry.container_name]);
  if (deps.provider.ownHosts) await executor.run(['sh', '-c', 'rm -rf "$HOME/.kamal-dev/workspaces/$1"', 'rm-workspace', entry.container_name]);
}
