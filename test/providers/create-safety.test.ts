import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/lib/errors.js';
import { REQUEST_LABEL, vmLabels } from '../../src/providers/labels.js';
import type { CreateVmRequest } from '../../src/providers/provider.js';
import { providerFor, startServer, type TestCloud } from './support/start-server.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq0 dev@laptop';

function request(name: string, service = 'svc'): CreateVmRequest {
  return {
    name,
    sshUser: 'root',
    sshPublicKey: KEY,
    labels: vmLabels(service, name, randomUUID()),
  };
}

let cloud: TestCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

const posts = (c: TestCloud) => c.requests().filter((r) => r.method === 'POST' && r.path === '/server');

describe('createVm', () => {
  it('sends the create body of the API reference, with a valid hostname and the plan disk size', async () => {
    cloud = await startServer();
    const vm = await providerFor(cloud).createVm({ ...request('My_App.dev-1'), labels: { managedBy: 'kamal-dev', 'kamal-dev-request': 'req-1' } });
    expect(posts(cloud).map((r) => r.body)).toEqual([
      {
        server: {
          zone: 'de-fra1',
          title: 'My_App.dev-1',
          hostname: 'my-app-dev-1',
          plan: '1xCPU-2GB',
          metadata: 'yes',
          labels: { label: [{ key: 'managedBy', value: 'kamal-dev' }, { key: 'kamal-dev-request', value: 'req-1' }] },
          storage_devices: {
            storage_device: [{ action: 'clone', storage: '01000000-0000-4000-8000-000030240200', title: 'My_App.dev-1-disk', size: 50, tier: 'maxiops' }],
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
          login_user: { username: 'root', create_password: 'no', ssh_keys: { ssh_key: [KEY] } },
          password_delivery: 'none',
          remote_access_enabled: 'no',
        },
      },
    ]);
    expect(vm).toMatchObject({ name: 'My_App.dev-1', state: 'maintenance', zone: 'de-fra1', plan: '1xCPU-2GB', labels: { 'kamal-dev-request': 'req-1' } });
    expect(vm.ip).toMatch(/^198\.19\./);
    expect(cloud.liveServers()).toEqual([expect.objectContaining({ uuid: vm.id, ip: vm.ip })]);
  });

  it('gives the public key to the login user of the request (ssh.user)', async () => {
    cloud = await startServer();
    await providerFor(cloud).createVm({ ...request('ws-ubuntu'), sshUser: 'ubuntu' });
    const body = posts(cloud)[0]!.body as { server: { login_user: unknown } };
    expect(body.server.login_user).toEqual({ username: 'ubuntu', create_password: 'no', ssh_keys: { ssh_key: [KEY] } });
  });

  it('uses disk_size and storage_template of the provider config when given', async () => {
    cloud = await startServer();
    const template = '01000000-0000-4000-8000-000020070100'; // Debian 12, not the default Ubuntu 24.04
    await providerFor(cloud, { config: { disk_size: 80, storage_template: template } }).createVm(request('big'));
    const body = posts(cloud)[0]!.body as { server: { zone: string; plan: string; storage_devices: { storage_device: Array<{ size: number; storage: string }> } } };
    expect(body.server.storage_devices.storage_device[0]).toMatchObject({ size: 80, storage: template });
    expect([body.server.zone, body.server.plan]).toEqual(['de-fra1', '1xCPU-2GB']);
  });

  it.each(['500-after', 'drop-after', 'mangle-after'] as const)('adopts the server when the answer is lost after it was made (%s)', async (fault) => {
    cloud = await startServer();
    cloud.injectOn('POST', fault);
    const vm = await providerFor(cloud).createVm(request('ws-1'));
    expect(cloud.liveServers().map((server) => server.uuid)).toEqual([vm.id]);
    expect(posts(cloud)).toHaveLength(1);
    expect(vm.ip).toMatch(/^198\.19\./);
    expect(cloud.liveServers()[0]!.ip).toBe(vm.ip);
  });

  it.each([
    ['500-before', 500],
    ['drop-before', 'dropped'],
    ['429', 429],
  ] as const)('sends the create again only after finding no server with its label (%s)', async (fault, status) => {
    cloud = await startServer();
    const provider = providerFor(cloud);
    await provider.checkPlacement();
    const before = cloud.requests().length;
    cloud.inject(fault);
    const vm = await provider.createVm(request('ws-1'));
    expect(cloud.liveServers().map((server) => server.uuid)).toEqual([vm.id]);
    const sequence = cloud.requests().slice(before).map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
    expect(sequence).toEqual([`POST /server ${status}`, 'GET /server 200', 'POST /server 202']);
  });

  it('gives up after its attempts with a clear error and nothing created', async () => {
    cloud = await startServer();
    const provider = providerFor(cloud, { createAttempts: 2, retries: 0 });
    await provider.checkPlacement();
    cloud.inject('500-before', 'pass', '500-before');
    const error = await provider.createVm(request('ws-1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toMatch(/cannot create server ws-1 \(500 INTERNAL_ERROR\).*after 2 attempts; no server carries kamal-dev-request=/);
    expect(cloud.liveServers()).toEqual([]);
  });

  it('50 creates at fault rate 0.3 make exactly 50 servers, none duplicated', async () => {
    // SEED=n explores other fault sequences; the default one is fixed so a failure reproduces.
    cloud = await startServer({ faultRate: 0.3, seed: Number(process.env.SEED ?? 20261122) });
    const provider = providerFor(cloud);
    const requests = Array.from({ length: 50 }, (_, i) => request(`ws-${i + 1}`));
    const vms = await Promise.all(requests.map((r) => provider.createVm(r)));

    const live = cloud.liveServers();
    expect(live).toHaveLength(50);
    expect(new Set(live.map((server) => server.labels['kamal-dev-request'])).size).toBe(50);
    expect(new Set(vms.map((vm) => vm.id))).toEqual(new Set(live.map((server) => server.uuid)));
    for (const [i, vm] of vms.entries()) expect(vm.labels['kamal-dev-request']).toBe(requests[i]!.labels['kamal-dev-request']);

    // The faults really happened, including answers lost after the server was made (500 or dropped on a POST):
    // fewer than 50 creates were answered 202, so some of the 50 servers come from a create whose answer was lost.
    const faulted = cloud.requests().filter((r) => r.status === 'dropped' || r.status === 429 || (typeof r.status === 'number' && r.status >= 500));
    expect(faulted.length).toBeGreaterThan(cloud.requests().length * 0.15);
    expect(posts(cloud).filter((r) => r.status === 202).length).toBeLessThan(50);
    expect(posts(cloud).length).toBeGreaterThan(50);
  });

  it('refuses a create without its request label, before any request', async () => {
    cloud = await startServer();
    const labels = { ...request('x').labels };
    delete labels[REQUEST_LABEL];
    await expect(providerFor(cloud).createVm({ ...request('x'), labels })).rejects.toThrow('createVm needs a kamal-dev-request label');
    expect(posts(cloud)).toHaveLength(0);
  });
});
