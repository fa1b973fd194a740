import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ProviderError } from '../../src/lib/errors.js';
import type { UpcloudProvider } from '../../src/providers/upcloud/index.js';
import { providerFor, startServer, type TestCloud } from './support/start-server.js';

let cloud: TestCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

async function createMany(provider: UpcloudProvider, service: string, count: number) {
  const labels = { managedBy: 'kamal-dev', 'kamal-dev-service': service };
  const vms = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      provider.createVm({
        name: `${service}-${i + 1}`,
        zone: 'fi-hel1',
        plan: '1xCPU-1GB',
        storageTemplate: '01000000-0000-4000-8000-000030240200',
        diskSizeGb: undefined,
        sshPublicKey: 'ssh-ed25519 AAAA test',
        labels: { ...labels, 'kamal-dev-workspace': `${service}-${i + 1}`, 'kamal-dev-request': randomUUID() },
      }),
    ),
  );
  return { labels, ids: vms.map((vm) => vm.id) };
}

describe('waitUntilRunning', () => {
  it('polls with one list call per interval for all VMs, then reads each started VM once for its address', async () => {
    cloud = await startServer({ bootDelayMs: 300 });
    const provider = providerFor(cloud, { pollIntervalMs: 50 });
    const { labels, ids } = await createMany(provider, 'waitsvc', 5);
    const before = cloud.requests().length;
    const seen: string[] = [];
    const running = await provider.waitUntilRunning(ids, labels, { onStarted: (vm) => seen.push(vm.id) });

    expect([...running.keys()].sort()).toEqual([...ids].sort());
    expect(seen.sort()).toEqual([...ids].sort());
    const ipOf = new Map(cloud.liveServers().map((s) => [s.uuid, s.ip]));
    for (const vm of running.values()) expect(vm).toMatchObject({ state: 'started', zone: 'fi-hel1', plan: '1xCPU-1GB', ip: ipOf.get(vm.id) });
    expect(new Set(ipOf.values()).size).toBe(5);

    const during = cloud.requests().slice(before);
    const lists = during.filter((r) => r.path.startsWith('/server?'));
    const reads = during.filter((r) => /^\/server\/[0-9a-f-]{36}$/.test(r.path));
    expect(lists.length).toBeGreaterThan(1);
    expect(lists.every((r) => r.path === '/server?label=managedBy%3Dkamal-dev&label=kamal-dev-service%3Dwaitsvc')).toBe(true);
    expect(reads.map((r) => r.path).sort()).toEqual(ids.map((id) => `/server/${id}`).sort());
    expect(during).toHaveLength(lists.length + reads.length);
  });

  it('fails at its deadline naming the VMs still pending and their state', async () => {
    cloud = await startServer({ bootDelayMs: 60_000 });
    const provider = providerFor(cloud);
    const { labels, ids } = await createMany(provider, 'slowsvc', 2);
    const error = await provider.waitUntilRunning(ids, labels, { timeoutMs: 200, intervalMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe(`UpCloud: VMs not started before the deadline: ${ids.map((id) => `${id} (maintenance)`).join(', ')}`);
  });

  it('stops waiting when the caller aborts', async () => {
    cloud = await startServer({ bootDelayMs: 60_000 });
    const provider = providerFor(cloud);
    const { labels, ids } = await createMany(provider, 'abortsvc', 1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(provider.waitUntilRunning(ids, labels, { signal: controller.signal, intervalMs: 20 })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('stop, start and destroy', () => {
  it('stops and starts a VM, each resolving on the target state', async () => {
    cloud = await startServer({ bootDelayMs: 0 });
    const provider = providerFor(cloud);
    const { ids } = await createMany(provider, 'ssvc', 1);
    const id = ids[0]!;
    await provider.stopVm(id);
    expect((await provider.getVm(id))?.state).toBe('stopped');
    await provider.stopVm(id);
    await provider.startVm(id);
    expect((await provider.getVm(id))?.state).toBe('started');
    await expect(provider.stopVm('00000000-0000-4000-8000-000000000000')).rejects.toThrow('UpCloud server 00000000-0000-4000-8000-000000000000 does not exist');
  });

  it('re-reads the state after a 409 and carries on', async () => {
    cloud = await startServer({ bootDelayMs: 0 });
    const provider = providerFor(cloud);
    const { ids } = await createMany(provider, 'csvc', 1);
    cloud.injectOn('POST', { status: 409, code: 'SERVER_STATE_ILLEGAL', message: "The operation is not allowed while the server is in state 'maintenance'." });
    await provider.stopVm(ids[0]!);
    expect((await provider.getVm(ids[0]!))?.state).toBe('stopped');
    const stops = cloud.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/stop')).map((r) => r.status);
    expect(stops.slice(0, 2)).toEqual([409, 200]);
    expect(stops.slice(2).every((status) => status === 200)).toBe(true);
  });

  it('destroys a started VM: hard stop, wait for stopped, DELETE with its storages', async () => {
    cloud = await startServer({ bootDelayMs: 0 });
    const provider = providerFor(cloud);
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
    const provider = providerFor(cloud);
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
    const provider = providerFor(cloud);
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
