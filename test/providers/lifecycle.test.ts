import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REQUEST_LABEL, serviceLabels, WORKSPACE_LABEL } from '../../src/providers/labels.js';
import type { UpcloudProvider } from '../../src/providers/upcloud/upcloud-provider.js';
import { providerFor, startServer, type TestCloud } from './support/start-server.js';

let cloud: TestCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

async function createMany(provider: UpcloudProvider, service: string, count: number) {
  const labels = serviceLabels(service);
  const vms = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      provider.createVm({
        name: `${service}-${i + 1}`,
        sshUser: 'root',
        sshPublicKey: 'ssh-ed25519 AAAA test',
        labels: { ...labels, [WORKSPACE_LABEL]: `${service}-${i + 1}`, [REQUEST_LABEL]: randomUUID() },
      }),
    ),
  );
  return { labels, ids: vms.map((vm) => vm.id) };
}

const HEL1 = { config: { zone: 'fi-hel1', plan: '1xCPU-1GB' } };

describe('stop, start and destroy', () => {
  it('starts a stopped VM, resolving once it is started; an unknown id does not exist', async () => {
    cloud = await startServer({ bootDelayMs: 0 });
    const provider = providerFor(cloud, HEL1);
    const { ids } = await createMany(provider, 'ssvc', 1);
    const id = ids[0]!;
    expect(await provider.getVm(id)).toMatchObject({ state: 'started', zone: 'fi-hel1', plan: '1xCPU-1GB' });
    await provider.startVm(id); // already started: nothing to do
    await cloud.stopServer(id);
    expect((await provider.getVm(id))?.state).toBe('stopped');
    await provider.startVm(id);
    expect((await provider.getVm(id))?.state).toBe('started');
    const starts = cloud.requests().filter((r) => r.method === 'POST' && r.path === `/server/${id}/start`);
    expect(starts.map((r) => [r.status, r.body])).toEqual([[200, { server: {} }]]);
    await expect(provider.startVm('00000000-0000-4000-8000-000000000000')).rejects.toThrow('UpCloud server 00000000-0000-4000-8000-000000000000 does not exist');
  });

  it('stopVm returns once the hard stop is accepted, without waiting; a stopped VM is left alone; an unknown id does not exist', async () => {
    cloud = await startServer({ bootDelayMs: 0, stopDelayMs: 200 });
    const provider = providerFor(cloud, HEL1);
    const { ids } = await createMany(provider, 'stopvm', 1);
    const id = ids[0]!;
    await provider.stopVm(id);
    expect((await provider.getVm(id))?.state).toBe('maintenance');
    const stops = () => cloud!.requests().filter((r) => r.method === 'POST' && r.path === `/server/${id}/stop`);
    expect(stops().map((r) => [r.status, r.body])).toEqual([[200, { stop_server: { stop_type: 'hard', timeout: '60' } }]]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await provider.getVm(id))?.state).toBe('stopped');
    await provider.stopVm(id);
    expect(stops()).toHaveLength(1);
    await expect(provider.stopVm('00000000-0000-4000-8000-000000000000')).rejects.toThrow('does not exist');
  });

  it('re-reads the state after a 409 and carries on (stop of a destroy, and start)', async () => {
    cloud = await startServer({ bootDelayMs: 0 });
    const provider = providerFor(cloud, HEL1);
    const { ids } = await createMany(provider, 'csvc', 2);
    const illegal = { status: 409, code: 'SERVER_STATE_ILLEGAL', message: "The operation is not allowed while the server is in state 'maintenance'." };
    cloud.injectOn('POST', illegal);
    await provider.destroyVm(ids[0]!);
    expect(await provider.getVm(ids[0]!)).toBeUndefined();
    const stops = cloud.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/stop')).map((r) => r.status);
    expect(stops.slice(0, 2)).toEqual([409, 200]);
    expect(stops.slice(2).every((status) => status === 200)).toBe(true);

    await cloud.stopServer(ids[1]!);
    cloud.injectOn('POST', illegal);
    await provider.startVm(ids[1]!);
    expect((await provider.getVm(ids[1]!))?.state).toBe('started');
    const starts = cloud.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/start')).map((r) => r.status);
    expect(starts).toEqual([409, 200]);
  });

  it('destroys a started VM: hard stop, wait for stopped, DELETE with its storages', async () => {
    cloud = await startServer({ bootDelayMs: 0 });
    const provider = providerFor(cloud, HEL1);
    const { ids } = await createMany(provider, 'dsvc', 1);
    const id = ids[0]!;
    await provider.destroyVm(id);
    expect(cloud.liveServers()).toEqual([]);
    const stop = cloud.requests().find((r) => r.path === `/server/${id}/stop`);
    expect(stop?.body).toEqual({ stop_server: { stop_type: 'hard', timeout: '60' } });
    expect(cloud.requests().filter((r) => r.method === 'DELETE').map((r) => `${r.path} ${r.status}`)).toEqual([`/server/${id}?storages=1 204`]);
    await provider.destroyVm(id);
    expect(await provider.getVm(id)).toBeUndefined();
  });

  it('destroys many started VMs under a fault rate of 0.3', async () => {
    cloud = await startServer({ bootDelayMs: 0, faultRate: 0.3, seed: 7 });
    const provider = providerFor(cloud, HEL1);
    const { ids } = await createMany(provider, 'fsvc', 10);
    expect(cloud.liveServers()).toHaveLength(10);
    await Promise.all(ids.map((id) => provider.destroyVm(id)));
    expect(cloud.liveServers()).toEqual([]);
    expect(cloud.requests().filter((r) => r.status === 'dropped' || r.status === 503 || r.status === 500).length).toBeGreaterThan(3);
    // Some answers were lost after the stop or DELETE took effect, as the old fake's random faults did too.
    expect(cloud.faultCounts()['lost-after']).toBeGreaterThan(0);
  });

  it('treats repeated stops and a repeated DELETE (404) after lost answers as progress', async () => {
    cloud = await startServer({ bootDelayMs: 0 });
    const provider = providerFor(cloud, HEL1);
    const { ids } = await createMany(provider, 'lsvc', 1);
    const id = ids[0]!;
    cloud.injectOn('POST', 'drop-after', 'drop-after');
    cloud.injectOn('DELETE', 'drop-after');
    await provider.destroyVm(id);
    expect(cloud.liveServers()).toEqual([]);
    const mutations = cloud.requests().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(mutations.slice(-2)).toEqual([`DELETE /server/${id}?storages=1 dropped`, `DELETE /server/${id}?storages=1 404`]);
    expect(mutations.filter((m) => m.startsWith('POST /server/')).slice(0, 2)).toEqual([`POST /server/${id}/stop dropped`, `POST /server/${id}/stop dropped`]);
  });
});
