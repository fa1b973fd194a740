import { hostnameFor } from '../hostname.js';
import type { CreateVmRequest, Vm, VmState } from '../provider.js';

export { hostnameFor };
import type { UpcloudPlan } from './catalog.js';
import type { UpcloudConfig } from './config.js';
import type { Server, ServerSummary } from './schemas.js';

const LABEL_KEY = /^[\x21-\x7e]{2,32}$/;

/** Checks labels against UpCloud's rules before anything is sent (key 2-32 printable ASCII, not `_`; value <= 255). */
export function labelProblem(labels: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key) || key.startsWith('_')) return `invalid UpCloud label key "${key}"`;
    if (value.length > 255) return `UpCloud label "${key}" is longer than 255 characters`;
  }
  return undefined;
}

/** The POST /server body: a clone of the template sized to the plan, the public key for ssh.user, the labels, the user_data. */
export function createServerBody(request: CreateVmRequest, config: UpcloudConfig, plan: UpcloudPlan) {
  return {
    server: {
      zone: config.zone,
      title: request.name,
      hostname: hostnameFor(request.name),
      plan: config.plan,
      metadata: 'yes',
      labels: { label: Object.entries(request.labels).map(([key, value]) => ({ key, value })) },
      storage_devices: {
        storage_device: [
          {
            action: 'clone',
            storage: config.storage_template,
            title: `${request.name}-disk`,
            size: config.disk_size ?? plan.storageGb,
            ...(plan.storageTier ? { tier: plan.storageTier } : {}),
          },
        ],
      },
      networking: {
        interfaces: {
          interface: [
            { type: 'public', ip_addresses: { ip_address: [{ family: 'IPv4' }] } },
            { type: 'public', ip_addresses: { ip_address: [{ family: 'IPv6' }] } },
            { type: 'utility', ip_addresses: { ip_address: [{ family: 'IPv4' }] } },
          ],
        },
      },
      login_user: { username: request.sshUser, create_password: 'no', ssh_keys: { ssh_key: [request.sshPublicKey] } },
      // cloud-init reads it from the metadata service (metadata: 'yes'), docs/architecture.md#host-keys
      ...(request.userData ? { user_data: request.userData.reveal() } : {}),
      password_delivery: 'none',
      remote_access_enabled: 'no',
    },
  };
}

/** Unknown states (e.g. pending_delete) count as busy, like maintenance. */
export function vmState(state: string): VmState {
  return state === 'started' || state === 'stopped' || state === 'error' ? state : 'maintenance';
}

export function toVm(server: Server | ServerSummary): Vm {
  const addresses = 'ip_addresses' in server ? (server.ip_addresses?.ip_address ?? []) : [];
  const publicV4 = addresses.find((ip) => ip.access === 'public' && ip.family === 'IPv4');
  return {
    id: server.uuid,
    name: server.title,
    state: vmState(server.state),
    ip: publicV4?.address,
    zone: server.zone,
    plan: server.plan,
    labels: Object.fromEntries(server.labels.label.map((label) => [label.key, label.value])),
  };
}
