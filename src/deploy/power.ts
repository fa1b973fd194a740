import { indexOfName } from '../config/naming.js';
import { dockerStart, dockerStop } from '../docker/commands.js';
import { check } from '../remote/check.js';
import { runHooks } from './hooks.js';
import type { LifecycleDeps } from './ports.js';
import { homeDir } from './remote-steps.js';
import { runEach } from './runner.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';
import { bindWorkspace, type ServicePlan } from './workspace.js';

export interface PowerResult {
  name: string;
  ok: boolean;
  error?: string;
}

/**
 * `docker stop` or `docker start` of each workspace's container over SSH; `start` then runs postStartCommand
 * as the workspace's plan on that VM says. The VMs stay up; the state follows.
 */
export async function setPower(
  action: 'stop' | 'start',
  names: readonly string[],
  service: ServicePlan,
  deps: LifecycleDeps,
): Promise<PowerResult[]> {
  const { deployments } = await deps.state.read();
  const { naming, service: serviceName } = service.config.config;
  return runEach(
    names.map((name) => ({ name })),
    deps,
    {
      run: async ({ name }, step): Promise<PowerResult> => {
        const entry = deployments[name]!;
        if (!entry.vm_ip) throw new Error('no VM address recorded (deploy it first)');
        step(action === 'stop' ? 'container.stop' : 'container.start');
        const { executor } = await deps.connector.connect(entry.vm_ip, entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.power });
        await check(executor, action === 'stop' ? dockerStop(entry.container_name) : dockerStart(entry.container_name), { signal: deps.signal });
        if (action === 'start') {
          // A name outside the naming pattern (renamed by hand) has no index of its own.
          const index = indexOfName(naming.pattern, serviceName, name) ?? 0;
          const plan = bindWorkspace(service, { name, index, home: await homeDir(executor) });
          if (plan.lifecycle.postStart.length > 0) {
            step('lifecycle.post-start');
            await runHooks(executor, plan, ['postStart'], deps.signal);
          }
        }
        await deps.state.patch(name, { status: action === 'stop' ? 'stopped' : 'running', error: undefined });
        return { name, ok: true };
      },
      done: () => ({ outcome: 'ok', summary: action === 'stop' ? 'stopped' : 'running' }),
      failed: ({ name }, { message }) => ({ name, ok: false, error: message }),
    },
  );
}
