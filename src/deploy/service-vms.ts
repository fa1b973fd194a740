import { inScope, serviceLabels, type ServiceScope } from '../providers/labels.js';
import type { Provider, Vm } from '../providers/provider.js';

/** The VMs of one service and destination (or of the service without one): never another destination's. */
export async function listServiceVms(provider: Provider, scope: ServiceScope, signal: AbortSignal): Promise<Vm[]> {
  const vms = await provider.listVms(serviceLabels(scope.service, scope.destination), signal);
  return vms.filter((vm) => inScope(vm.labels, scope.destination));
}
