import { randomBytes } from 'node:crypto';
import type { CreateSpec } from './create-request.js';
import { CREATED_STATE, showsAddresses, upcloudUuid, type Label, type Read, type ServerState } from './rules.js';

export type { Label, ServerState };

export interface StorageRecord {
  uuid: string;
  title: string;
  size: number;
  tier: string;
  partOfPlan: boolean;
  templateLabels: Label[];
}

/** What the emulator keeps of one server; the API objects are rendered from it. */
export interface ServerRecord {
  uuid: string;
  title: string;
  hostname: string;
  zone: string;
  plan: string;
  coreNumber: number;
  memoryAmount: number;
  metadata: 'yes' | 'no';
  remoteAccessEnabled: 'yes' | 'no';
  labels: Label[];
  created: number;
  host: number;
  state: ServerState;
  publicIp: string;
  utilityIp: string;
  ipv6: string;
  macs: [string, string, string];
  networks: [string, string];
  remoteAccessPassword: string;
  storages: StorageRecord[];
}

function mac(n: number, i: number): string {
  return ['da', 'aa', (n >> 16) & 255, (n >> 8) & 255, n & 255, i].map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0'))).join(':');
}

/** A new server in `maintenance`; `n` (1, 2, ...) makes its private addresses and MACs unique. */
export function newServerRecord(n: number, uuid: string, spec: CreateSpec, publicIp: string): ServerRecord {
  const hi = (n >> 8) & 255;
  const lo = n & 255;
  return {
    uuid, title: spec.title, hostname: spec.hostname, zone: spec.zone, plan: spec.plan,
    coreNumber: spec.coreNumber, memoryAmount: spec.memoryAmount, metadata: spec.metadata,
    remoteAccessEnabled: spec.remoteAccessEnabled, labels: spec.labels,
    created: Math.floor(Date.now() / 1000), host: 5_900_000_000 + (n % 97), state: CREATED_STATE,
    publicIp, utilityIp: `10.6.${hi}.${lo}`, ipv6: `2a04:3545:1000:720:d8aa:aaff:fe${hi.toString(16).padStart(2, '0')}:${lo.toString(16)}`,
    macs: [mac(n, 1), mac(n, 2), mac(n, 3)], networks: [upcloudUuid('03'), upcloudUuid('03')],
    remoteAccessPassword: randomBytes(6).toString('base64url').slice(0, 8),
    storages: spec.storages.map((s) => ({ uuid: upcloudUuid('01'), title: s.title, size: s.size, tier: s.tier, partOfPlan: s.partOfPlan, templateLabels: s.templateLabels })),
  };
}

function ipEntry(address: string, family: string) {
  return { address, dhcp_provided: 'yes', family, floating: 'no', release_policy: 'release' };
}

function iface(index: number, type: string, mac: string, network: string, address: string, family: string) {
  return {
    bootable: 'no',
    index,
    ip_addresses: { ip_address: [ipEntry(address, family)] },
    mac,
    network,
    source_ip_filtering: 'yes',
    type,
  };
}

const PUBLIC_IPV6_NETWORK = '03000000-0000-4000-8046-000000000000';

/** The summary object of `GET /server` (no addresses, networking or storages). */
export function renderSummary(s: ServerRecord): Record<string, unknown> {
  return {
    core_number: String(s.coreNumber),
    created: s.created,
    // As recorded: a stopped server runs on no host, so the key is absent.
    ...(s.state === 'stopped' ? {} : { host: s.host }),
    hostname: s.hostname,
    labels: { label: s.labels.map((l) => ({ ...l })) },
    license: 0,
    memory_amount: String(s.memoryAmount),
    plan: s.plan,
    plan_ipv4_bytes: '0',
    plan_ipv6_bytes: '0',
    server_group: null,
    simple_backup: 'no',
    state: s.state,
    tags: { tag: [] },
    title: s.title,
    uuid: s.uuid,
    zone: s.zone,
  };
}

/** The full object of `GET /server/{uuid}`, in the newest recorded shape (2025). */
export function renderDetails(s: ServerRecord): Record<string, unknown> {
  const { labels, plan, server_group, simple_backup, state, tags, title, uuid, zone, ...rest } = renderSummary(s);
  const [m1, m2, m3] = s.macs;
  return {
    boot_order: 'disk',
    ...rest,
    firewall: 'off',
    ip_addresses: {
      ip_address: [
        { access: 'utility', address: s.utilityIp, family: 'IPv4' },
        { access: 'public', address: s.ipv6, family: 'IPv6' },
        { access: 'public', address: s.publicIp, family: 'IPv4' },
      ],
    },
    labels,
    metadata: s.metadata,
    networking: {
      interfaces: {
        interface: [
          iface(1, 'utility', m1, s.networks[0], s.utilityIp, 'IPv4'),
          iface(2, 'public', m2, s.networks[1], s.publicIp, 'IPv4'),
          iface(3, 'public', m3, PUBLIC_IPV6_NETWORK, s.ipv6, 'IPv6'),
        ],
      },
    },
    nic_model: 'virtio',
    plan,
    remote_access_enabled: s.remoteAccessEnabled,
    remote_access_password: s.remoteAccessPassword,
    remote_access_type: 'vnc',
    server_group,
    simple_backup,
    state,
    storage_devices: {
      storage_device: s.storages.map((d, i) => ({
        address: `virtio:${i}`,
        boot_disk: '0',
        labels: d.templateLabels.map((l) => ({ ...l })),
        ...(d.partOfPlan ? { part_of_plan: 'yes' } : {}),
        storage: d.uuid,
        storage_encrypted: 'no',
        storage_size: d.size,
        storage_tier: d.tier,
        storage_title: d.title,
        type: 'disk',
      })),
    },
    tags,
    timezone: 'UTC',
    title,
    uuid,
    video_model: 'cirrus',
    zone,
  };
}

/** A server as a list (the summary) or a get (the full object) shows it; which one carries addresses is a rule (rules.ts). */
export function renderRead(s: ServerRecord, read: Exclude<Read, 'create'>): Record<string, unknown> {
  return showsAddresses(read) ? renderDetails(s) : renderSummary(s);
}

/** The create reply: the full object plus the one-time `password`, `progress` and `username`. */
export function renderCreated(s: ServerRecord, password: string): Record<string, unknown> {
  return { ...renderDetails(s), password, progress: '0', username: 'root' };
}
