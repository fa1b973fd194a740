import { mapPool } from '../lib/pool.js';
import { dockerStart, dockerStop } from '../docker/commands.js';
import { runGroups } from './container.js';
import type { LifecycleDeps } from './ports.js';
// eslint-disable-next-line no-restricted-imports -- layer violation, fixed by the middle-layer refactor
import { check } from '../remote/check.js';
import type { LifecycleGroup } from './workspace.js';

export interface PowerResult {
  name: string;
  ok: boolean;
  error?: string;
}

/**
 * `docker stop` or `docker start` (then postStartCommand) of each workspace's container over SSH. The VMs
 * stay up; the state follows.
 */
export async function setPower(
  action: 'stop' | 'start',
  names: readonly string[],
  postStart: (name: string) => LifecycleGroup[],
  deps: LifecycleDeps,
): Promise<PowerResult[]> {
  const { deployments } = await deps.state.read();
  const one = async (name: string): Promise<PowerResult> => {
    const entry = deployments[name]!;
    const step = (text: string, outcome?: 'ok' | 'failed') =>
      deps.progress.update({ workspace: name, step: text, ...(outcome ? { outcome } : {}) });
    try {
      if (!entry.vm_ip) throw new Error('no VM address recorded (deploy it first)');
      step(action === 'stop' ? 'stopping container' : 'starting container');
      const { executor } = await deps.connect(entry.vm_ip, entry.host_key, { signal: deps.signal, timeoutMs: 30_000 });
      await check(executor, action === 'stop' ? dockerStop(entry.container_name) : dockerStart(entry.container_name), { signal: deps.signal });
      if (action === 'start') {
        const groups = postStart(name);
        if (groups.length > 0) {
          step('running postStartCommand');
          await runGroups(executor, groups, deps.signal);
        }
      }
      await deps.state.patch(name, { status: action === 'stop' ? 'stopped' : 'running', error: undefined });
      step(action === 'stop' ? 'stopped' : 'running', 'ok');
      return { name, ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      step(`failed: ${message}`, 'failed');
      return { name, ok: false, error: message };
    }
  };
  const results = await mapPool(names, deps.concurrency, one, deps.signal);
  return results.map((r, i) => r ?? { name: names[i]!, ok: false, error: 'interrupted' });
}
