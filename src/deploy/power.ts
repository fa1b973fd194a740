import { indexOfName } from '../config/naming.js';
import { dockerStart, dockerStop } from '../docker/commands.js';
import { check } from '../remote/check.js';
import { composeEngine } from './compose.js';
import { runHooks } from './hooks.js';
import type { LifecycleDeps } from './ports.js';
import { ensureIdleWatcher } from './idle-install.js';
import { homeDir } from './remote-steps.js';
import { runEach } from './runner.js';
import { runningAgain, stoppedSince } from './stopped-time.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';
import { VmPower } from './vm-power.js';
import { readImageFacts } from './image.js';
import { bindWorkspace, type ServicePlan } from './workspace.js';

export interface PowerResult {
  name: string;
  ok: boolean;
  error?: string;
}

export interface PowerOptions {
  /** stop: power the VMs off through the provider after their containers (docs/commands.md#stop). */
  vm?: boolean;
}

/**
 * `docker stop` or `docker start` of each workspace's container over SSH; `start` first powers on a stopped VM,
 * then runs postStartCommand as the workspace's plan on that VM says. `stop` with `vm` powers the VMs off.
 */
export async function setPower(
  action: 'stop' | 'start',
  names: readonly string[],
  service: ServicePlan,
  deps: LifecycleDeps,
  options: PowerOptions = {},
): Promise<PowerResult[]> {
  const { deployments } = await deps.state.read();
  const { naming, service: serviceName } = service.config.config;
  const withVms = action === 'start' || options.vm;
  const power = withVms ? await VmPower.of(serviceName, deployments, deps) : undefined;
  return runEach(
    names.map((name) => ({ name })),
    deps,
    {
      run: async ({ name }, step): Promise<PowerResult> => {
        const entry = deployments[name]!;
        if (action === 'stop' && power) {
          await power.stop(entry, step);
          await deps.state.patch(name, { status: 'stopped', error: undefined, ...stoppedSince(entry, deps.now(), 'kamal-dev') });
          return { name, ok: true };
        }
        const vm = power ? await power.start(entry, step) : undefined;
        const ip = vm?.ip ?? entry.vm_ip;
        if (!ip) throw new Error('no VM address recorded (deploy it first)');
        if (ip !== entry.vm_ip) await deps.state.patch(name, { vm_ip: ip });
        step(action === 'stop' ? 'container.stop' : 'container.start');
        // A VM booted just now takes as long as a new one to accept SSH; the pinned host key is kept.
        const timeoutMs = vm?.booted ? deps.settings.sshTimeoutMs : CONNECT_TIMEOUT_MS.power;
        const { executor } = await deps.connector.connect(ip, entry.host_key, { signal: deps.signal, timeoutMs });
        // A name outside the naming pattern (renamed by hand) has no index of its own.
        const index = indexOfName(naming.pattern, serviceName, name) ?? 0;
        // A Compose workspace stops and starts its whole project (shutdownAction stopCompose).
        const composed = service.devcontainer.compose
          ? bindWorkspace(service, { name, index, home: await homeDir(executor), composeEngine: await composeEngine(executor, deps.signal) }).compose
          : undefined;
        const argv = composed ? composed[action] : action === 'stop' ? dockerStop(entry.container_name) : dockerStart(entry.container_name);
        await check(executor, argv, { signal: deps.signal });
        if (action === 'start') {
          const home = await homeDir(executor);
          const plan = bindWorkspace(service, { name, index, home }, await readImageFacts(executor, service.devcontainer.image, deps.signal));
          if (plan.lifecycle.postStart.length > 0) {
            step('lifecycle.post-start');
            await runHooks(executor, plan, ['postStart'], deps.signal);
          }
          // A VM without systemd loses its watcher loop when it stops (docs/configuration.md#idle-timeout).
          if (service.config.config.idle_timeout > 0) {
            step('idle.install');
            await ensureIdleWatcher(executor, home, service.config.config.idle_timeout, deps.settings.idle, deps.signal);
          }
        }
        const running = action === 'start' ? runningAgain(entry, deps.now()) : {};
        await deps.state.patch(name, { status: action === 'stop' ? 'stopped' : 'running', error: undefined, ...running });
        return { name, ok: true };
      },
      done: () => ({ outcome: 'ok', summary: action === 'stop' ? 'stopped' : 'running' }),
      failed: ({ name }, { message }) => ({ name, ok: false, error: message }),
    },
  );
}
