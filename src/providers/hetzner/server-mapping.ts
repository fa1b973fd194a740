import { hostnameFor } from '../hostname.js';
import type { CreateVmRequest, Vm, VmState } from '../provider.js';
import type { Server } from './schemas.js';

/** hcloud-go's label rules (docs/state.md#provider-labels): an optional DNS prefix, a name and a value of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9A-Z]((?:[-_.]|[a-z0-9A-Z]){0,253}[a-z0-9A-Z])?\/)?[a-z0-9A-Z]((?:[-_.]|[a-z0-9A-Z]|){0,61}[a-z0-9A-Z])?$/;
const LABEL_VALUE = /^(([a-z0-9A-Z](?:[-_.]|[a-z0-9A-Z]){0,61})?[a-z0-9A-Z]$|$)/;

/** Checks labels against Hetzner's rules before anything is sent. */
export function labelProblem(labels: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key) || key.startsWith('hetzner.cloud/')) return `invalid Hetzner label key "${key}"`;
    if (!LABEL_VALUE.test(value)) {
      return `Hetzner label ${key}=${JSON.stringify(value)} is not allowed (at most 63 characters of [a-zA-Z0-9._-], starting and ending with a letter or digit)`;
    }
  }
  return undefined;
}

/** Hetzner's statuses as kamal-dev's: anything in between (initializing, starting, stopping, ...) is busy. */
export function vmState(status: string): VmState {
  if (status === 'running') return 'started';
  if (status === 'off') return 'stopped';
  return 'maintenance';
}

export function toVm(server: Server): Vm {
  return {
    id: String(server.id),
    name: server.name,
    state: vmState(server.status),
    ip: server.public_net.ipv4?.ip,
    zone: server.location.name,
    plan: server.server_type.name,
    labels: { ...server.labels },
  };
}

/** The POST /servers body: the server type and image by ID or name, the SSH key resource, the labels, the user_data. */
export function createServerBody(request: CreateVmRequest, location: string, serverType: string, imageId: number, sshKeyId: number) {
  return {
    name: hostnameFor(request.name),
    server_type: serverType,
    image: imageId,
    location,
    start_after_create: true,
    ssh_keys: [sshKeyId],
    labels: request.labels,
    public_net: { enable_ipv4: true, enable_ipv6: true },
    ...(request.userData ? { user_data: request.userData.reveal() } : {}),
  };
}
