import { AppError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import type { ServiceScope } from '../providers/labels.js';
import type { HourlyRates, Vm } from '../providers/provider.js';
import type { Entry, WorkspaceStatus } from '../state/schema.js';
import { composeProjectPs, parseProjectPs } from '../docker/compose.js';
import { inspectContainer, publishedPorts } from './inspect.js';
import type { LifecycleDeps } from './ports.js';
import { errorMessage, runEach } from './runner.js';
import { listServiceVms } from './service-vms.js';
import { runningAgain, stoppedSince } from './stopped-time.js';
import { workspaceCost, type WorkspaceCost } from './vm-cost.js';
import { CONNECT_TIMEOUT_MS } from './timeouts.js';

export interface WorkspaceStatusReport {
  name: string;
  vm_id: string | null;
  vm_ip: string | null;
  vm_state: string;
  container: string;
  image: string | null;
  started_at: string | null;
  uptime_seconds: number | null;
  ports: Record<string, number>;
  status: WorkspaceStatus;
  /** Who stopped a stopped VM: `kamal-dev` (stop --vm) or `provider` (found so: the idle watcher, or by hand). */
  vm_stopped_by: 'kamal-dev' | 'provider' | null;
  /** null when the price list could not be read. */
  cost: WorkspaceCost | null;
  /** A Compose workspace: the state of each service's container in its project, by service. */
  services?: Record<string, string>;
  error?: string;
}

/**
 * What the workspace's status is, from what was found at the provider and on the VM (docs/state.md#statuses).
 * A VM in maintenance (starting, stopping, being changed) says nothing yet: the recorded status stands.
 */
export function statusOf(vmState: string, container: string, recorded: WorkspaceStatus): WorkspaceStatus {
  if (vmState === 'missing') return 'missing';
  if (vmState === 'stopped') return 'stopped';
  if (vmState === 'maintenance') return recorded;
  if (container === 'running') return 'running';
  if (container === 'exited' || container === 'created' || container === 'paused') return 'stopped';
  return 'failed';
}

/** Live status: one provider list call for the service, then `docker inspect` on every VM in parallel. */
export async function collectStatus(scope: ServiceScope, names: readonly string[], deps: LifecycleDeps): Promise<WorkspaceStatusReport[]> {
  const { deployments } = await deps.state.read();
  const vms = new Map<string, Vm>((await listServiceVms(deps.provider, scope, deps.signal)).map((vm) => [vm.id, vm]));
  const rates = await ratesOf(names.map((name) => deployments[name]!), deps);

  const blank = (name: string): WorkspaceStatusReport => {
    const entry: Entry = deployments[name]!;
    const vm = entry.vm_id ? vms.get(entry.vm_id) : undefined;
    return {
      name,
      vm_id: entry.vm_id ?? null,
      vm_ip: vm?.ip ?? entry.vm_ip ?? null,
      vm_state: vm?.state ?? (entry.vm_id ? 'missing' : 'none'),
      container: 'unknown',
      image: null,
      started_at: null,
      uptime_seconds: null,
      ports: {},
      status: entry.status,
      vm_stopped_by: null,
      cost: null,
    };
  };

  const one = async (name: string, step: (step: 'vm.inspect' | 'container.inspect') => void): Promise<WorkspaceStatusReport> => {
    const entry: Entry = deployments[name]!;
    const vm = entry.vm_id ? vms.get(entry.vm_id) : undefined;
    const report = blank(name);
    const vmState = report.vm_state;
    step('vm.inspect');
    if (vm?.state === 'started' && report.vm_ip) {
      try {
        step('container.inspect');
        const { executor } = await deps.connector.connect(report.vm_ip, entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.status });
        const info = await inspectContainer(executor, entry.container_name, deps.signal);
        report.container = info?.status ?? 'missing';
        if (entry.compose_project) {
          const ps = await executor.run(composeProjectPs(entry.compose_project), { signal: deps.signal });
          if (ps.exitCode === 0) report.services = parseProjectPs(ps.stdout);
        }
        if (info) {
          report.image = info.image;
          report.ports = publishedPorts(info);
          if (info.running && info.startedAt) {
            report.started_at = info.startedAt.toISOString();
            report.uptime_seconds = Math.max(0, Math.round((deps.now().getTime() - info.startedAt.getTime()) / 1000));
          }
        }
      } catch (error) {
        report.error = errorMessage(error);
      }
    }
    if (!report.error && (vm || vmState === 'missing')) report.status = statusOf(vmState, report.container, entry.status);
    const now = deps.now();
    const seen = vmState === 'stopped' ? stoppedSince(entry, now, 'provider') : vmState === 'started' ? runningAgain(entry, now) : {};
    const after: Entry = { ...entry, ...seen, status: report.status };
    if (report.status !== entry.status || Object.keys(seen).length > 0) await deps.state.patch(name, { ...seen, status: report.status });
    report.vm_stopped_by = vmState === 'stopped' ? (after.vm_stopped_by ?? null) : null;
    const rate = rates.get(placementKey(entry, deps));
    report.cost = rate ? workspaceCost(after, vmState, rate, now) : null;
    return report;
  };

  return runEach(
    names.map((name) => ({ name })),
    deps,
    {
      run: ({ name }, step) => one(name, step),
      done: (report) => ({ outcome: report.error ? 'failed' : 'ok', summary: report.error ? `failed: ${report.error}` : report.status }),
      failed: ({ name }, { message }) => ({ ...blank(name), error: message }),
    },
  );
}

function placementKey(entry: Entry, deps: LifecycleDeps): string {
  return `${entry.zone ?? deps.provider.placement.zone} ${entry.plan ?? deps.provider.placement.plan}`;
}

/** The hourly rates of each zone and plan the workspaces use, read once each; a placement without a price is left out (with a warning). */
async function ratesOf(entries: readonly Entry[], deps: LifecycleDeps): Promise<Map<string, HourlyRates>> {
  const rates = new Map<string, HourlyRates>();
  for (const key of new Set(entries.map((entry) => placementKey(entry, deps)))) {
    const [zone, plan] = key.split(' ') as [string, string];
    try {
      rates.set(key, await deps.provider.hourlyRates({ zone, plan }, deps.signal));
    } catch (error) {
      if (error instanceof AppError && error.exitCode !== ExitCode.failed) throw error;
      deps.notices.warn(`no cost for ${plan} in ${zone}: ${errorMessage(error)}`);
    }
  }
  return rates;
}
