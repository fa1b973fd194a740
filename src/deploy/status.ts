import type { ServiceScope } from '../providers/labels.js';
import type { Vm } from '../providers/provider.js';
import type { Entry, WorkspaceStatus } from '../state/schema.js';
import { inspectContainer, publishedPorts } from './inspect.js';
import type { LifecycleDeps } from './ports.js';
import { errorMessage, runEach } from './runner.js';
import { listServiceVms } from './service-vms.js';
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
  error?: string;
}

/** What the workspace's status is, from what was found at the provider and on the VM (docs/state.md#statuses). */
export function statusOf(vmState: string, container: string): WorkspaceStatus {
  if (vmState === 'missing') return 'missing';
  if (vmState === 'stopped') return 'stopped';
  if (container === 'running') return 'running';
  if (container === 'exited' || container === 'created' || container === 'paused') return 'stopped';
  return 'failed';
}

/** Live status: one provider list call for the service, then `docker inspect` on every VM in parallel. */
export async function collectStatus(scope: ServiceScope, names: readonly string[], deps: LifecycleDeps): Promise<WorkspaceStatusReport[]> {
  const { deployments } = await deps.state.read();
  const vms = new Map<string, Vm>((await listServiceVms(deps.provider, scope, deps.signal)).map((vm) => [vm.id, vm]));

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
    if (!report.error && (vm || vmState === 'missing')) report.status = statusOf(vmState, report.container);
    if (report.status !== entry.status) await deps.state.patch(name, { status: report.status });
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
