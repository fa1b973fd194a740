import { mapPool } from '../lib/pool.js';
import type { Vm } from '../providers/provider.js';
import type { Entry, WorkspaceStatus } from '../state/schema.js';
import { serviceLabels } from './apply.js';
import { inspectContainer } from './inspect.js';
import type { LifecycleDeps } from './ports.js';

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

const CONNECT_TIMEOUT_MS = 20_000;

/** What the workspace's status is, from what was found at the provider and on the VM. */
function statusOf(vmState: string, container: string): WorkspaceStatus {
  if (vmState === 'missing') return 'missing';
  if (vmState === 'stopped') return 'stopped';
  if (container === 'running') return 'running';
  if (container === 'exited' || container === 'created' || container === 'paused') return 'stopped';
  return 'failed';
}

/** Live status: one provider list call for the service, then `docker inspect` on every VM in parallel. */
export async function collectStatus(service: string, names: readonly string[], deps: LifecycleDeps): Promise<WorkspaceStatusReport[]> {
  const { deployments } = await deps.state.read();
  const vms = new Map<string, Vm>((await deps.provider.listVms(serviceLabels(service), deps.signal)).map((vm) => [vm.id, vm]));

  const one = async (name: string): Promise<WorkspaceStatusReport> => {
    const entry: Entry = deployments[name]!;
    const vm = entry.vm_id ? vms.get(entry.vm_id) : undefined;
    const vmState = vm?.state ?? (entry.vm_id ? 'missing' : 'none');
    const report: WorkspaceStatusReport = {
      name,
      vm_id: entry.vm_id ?? null,
      vm_ip: vm?.ip ?? entry.vm_ip ?? null,
      vm_state: vmState,
      container: 'unknown',
      image: null,
      started_at: null,
      uptime_seconds: null,
      ports: {},
      status: entry.status,
    };
    deps.progress.update({ workspace: name, step: `VM ${vmState}` });
    if (vm?.state === 'started' && report.vm_ip) {
      try {
        const { executor } = await deps.connect(report.vm_ip, entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS });
        const info = await inspectContainer(executor, entry.container_name, deps.signal);
        report.container = info?.state ?? 'missing';
        if (info) {
          report.image = info.image;
          report.ports = info.ports;
          if (info.running && info.startedAt) {
            report.started_at = info.startedAt;
            report.uptime_seconds = Math.max(0, Math.round((deps.now().getTime() - Date.parse(info.startedAt)) / 1000));
          }
        }
      } catch (error) {
        report.error = error instanceof Error ? error.message : String(error);
      }
    }
    if (!report.error && (vm || vmState === 'missing')) report.status = statusOf(vmState, report.container);
    if (report.status !== entry.status) await deps.state.patch(name, { status: report.status });
    deps.progress.update({ workspace: name, step: `${report.status}`, outcome: report.error ? 'failed' : 'ok' });
    return report;
  };

  const results = await mapPool(names, deps.concurrency, one, deps.signal);
  return results.filter((r): r is WorkspaceStatusReport => r !== undefined);
}
