/** Server objects shaped like the recorded ones (createstoprelocateserver.yaml, getserverswithfilters.yaml). */

export interface FakeServer {
  uuid: string;
  title: string;
  hostname: string;
  zone: string;
  plan: string;
  coreNumber: number;
  memoryMb: number;
  state: 'maintenance' | 'started' | 'stopped';
  /** A state change already under way: it happens at `at` (ms since epoch). */
  pending: { state: 'started' | 'stopped'; at: number } | undefined;
  labels: Array<{ key: string; value: string }>;
  created: number;
  ip: string;
  storage: { uuid: string; size: number; tier: string; title: string };
}

export function summary(server: FakeServer) {
  return {
    core_number: String(server.coreNumber),
    created: server.created,
    host: 5939413635,
    hostname: server.hostname,
    labels: { label: server.labels },
    license: 0,
    memory_amount: String(server.memoryMb),
    plan: server.plan,
    plan_ipv4_bytes: '0',
    plan_ipv6_bytes: '0',
    server_group: null,
    simple_backup: 'no',
    state: server.state,
    tags: { tag: [] },
    title: server.title,
    uuid: server.uuid,
    zone: server.zone,
  };
}

export function fullObject(server: FakeServer, options: { created: boolean }) {
  const ipv6 = '2a04:3545:1000:720:a8aa:aaff:feaa:aa03';
  const utility = '10.6.11.244';
  const iface = (index: number, type: string, address: string, family: string) => ({
    bootable: 'no',
    index,
    ip_addresses: { ip_address: [{ address, dhcp_provided: 'yes', family, floating: 'no', release_policy: 'release' }] },
    mac: `aa:aa:aa:aa:aa:0${index}`,
    network: '03000000-0000-4000-8046-000000000000',
    source_ip_filtering: 'yes',
    type,
  });
  return {
    ...summary(server),
    boot_order: 'disk',
    firewall: 'off',
    ip_addresses: {
      ip_address: [
        { access: 'utility', address: utility, family: 'IPv4' },
        { access: 'public', address: ipv6, family: 'IPv6' },
        { access: 'public', address: server.ip, family: 'IPv4' },
      ],
    },
    metadata: 'yes',
    networking: {
      interfaces: {
        interface: [iface(1, 'utility', utility, 'IPv4'), iface(2, 'public', server.ip, 'IPv4'), iface(3, 'public', ipv6, 'IPv6')],
      },
    },
    nic_model: 'virtio',
    remote_access_enabled: 'no',
    remote_access_type: 'vnc',
    storage_devices: {
      storage_device: [
        {
          address: 'virtio:0',
          boot_disk: '0',
          labels: [{ key: '_template_uuid', value: '01000000-0000-4000-8000-000030240200' }],
          part_of_plan: 'yes',
          storage: server.storage.uuid,
          storage_encrypted: 'no',
          storage_size: server.storage.size,
          storage_tier: server.storage.tier,
          storage_title: server.storage.title,
          type: 'disk',
        },
      ],
    },
    timezone: 'UTC',
    video_model: 'cirrus',
    ...(options.created ? { password: 'a66e7ykwh4fp425c', progress: '0', username: 'root' } : {}),
  };
}
