import { describe, expect, it } from 'vitest';
import { startEmulator } from '../localcloud/emulator/emulator.js';
import { call, createBody, waitForState } from './client.js';
import { recordingBackend, useEmulator } from './harness.js';

const t = useEmulator();

describe('authentication', () => {
  it('answers 401 AUTHENTICATION_REQUIRED without credentials, even on unknown paths', async () => {
    for (const path of ['/server', '/no-such-thing']) {
      const r = await fetch(`${t.em.apiUrl}${path}`);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(((await r.json()) as any).error.error_code).toBe('AUTHENTICATION_REQUIRED');
    }
  });

  it('answers 401 AUTHENTICATION_FAILED for a wrong password or token, 200 for the right Basic or Bearer', async () => {
    const wrong = await call(t.em, 'GET', '/zone', undefined, `Basic ${Buffer.from(`${t.em.username}:nope`).toString('base64')}`);
    expect([wrong.status, wrong.json.error.error_code]).toEqual([401, 'AUTHENTICATION_FAILED']);
    const badToken = await call(t.em, 'GET', '/zone', undefined, 'Bearer ucat_wrong');
    expect([badToken.status, badToken.json.error.error_code]).toEqual([401, 'AUTHENTICATION_FAILED']);
    expect((await call(t.em, 'GET', '/zone', undefined, `Bearer ${t.em.token}`)).status).toBe(200);
    expect((await call(t.em, 'GET', '/zone')).status).toBe(200);
    expect(t.em.token.startsWith('ucat_')).toBe(true);
  });
});

describe('server lifecycle', () => {
  it('creates in maintenance with the backend address, then boots to started', async () => {
    const r = await call(t.em, 'POST', '/server', createBody());
    const s = r.json.server;
    expect([s.state, s.progress, s.username, s.plan, s.core_number, s.memory_amount]).toEqual(['maintenance', '0', 'root', '1xCPU-2GB', '1', '2048']);
    expect(typeof s.password).toBe('string');
    const publicV4 = s.ip_addresses.ip_address.find((a: any) => a.access === 'public' && a.family === 'IPv4');
    expect(publicV4.address).toMatch(/^198\.19\.\d+\.\d+$/);
    expect(s.storage_devices.storage_device[0]).toMatchObject({ storage_size: 50, storage_tier: 'maxiops', part_of_plan: 'yes' });
    expect(t.calls[0]).toBe(`allocate ${s.uuid} ws-1 docker=false ssh=true keys=1`);
    await waitForState(t.em, s.uuid, 'started');
    expect(t.calls).toContain(`start ${s.uuid}`);
    const got = await call(t.em, 'GET', `/server/${s.uuid}`);
    expect(got.json.server.password).toBeUndefined();
    expect(got.json.server.progress).toBeUndefined();
  });

  it('refuses stop, start and delete during maintenance with 409 SERVER_STATE_ILLEGAL', async () => {
    const calls: string[] = [];
    const em = await startEmulator({ bootDelayMs: 600_000, backend: recordingBackend(calls) });
    try {
      const uuid = (await call(em, 'POST', '/server', createBody())).json.server.uuid;
      for (const [method, path] of [['POST', `/server/${uuid}/stop`], ['POST', `/server/${uuid}/start`], ['DELETE', `/server/${uuid}?storages=1`]] as const) {
        const r = await call(em, method, path, method === 'POST' ? {} : undefined);
        expect([r.status, r.json.error.error_code], `${method} ${path} in maintenance`).toEqual([409, 'SERVER_STATE_ILLEGAL']);
        expect(r.json.error.error_message).toBe(`The operation is not allowed while the server ${uuid} is in state 'maintenance'.`);
      }
      expect(calls).toHaveLength(1);
    } finally {
      await em.close();
    }
  });

  it('refuses start and delete of a started server with 409, leaving it alive', async () => {
    const uuid = await t.create();
    await waitForState(t.em, uuid, 'started');
    expect((await call(t.em, 'POST', `/server/${uuid}/start`, { server: {} })).status).toBe(409);
    const del = await call(t.em, 'DELETE', `/server/${uuid}?storages=1`);
    expect([del.status, del.json.error.error_message]).toEqual([409, `The operation is not allowed while the server ${uuid} is in state 'started'.`]);
    expect(t.em.stats().live_servers).toBe(1);
    expect(t.calls.some((c) => c.startsWith('destroy'))).toBe(false);
  });

  it('stops (reply still started), deletes only when stopped with 204 and no body, then destroys the machine', async () => {
    const uuid = await t.create();
    await waitForState(t.em, uuid, 'started');
    const stop = await call(t.em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'hard', timeout: '60' } });
    expect([stop.status, stop.json.server.state]).toEqual([200, 'started']);
    expect((await call(t.em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'hard' } })).status).toBe(409);
    await waitForState(t.em, uuid, 'stopped');
    expect(t.calls).toContain(`stop ${uuid}`);
    const bad = await call(t.em, 'DELETE', `/server/${uuid}?storages=2`);
    expect([bad.status, bad.json.error.error_code]).toEqual([400, 'STORAGE_DELETION_POLICY_INVALID']);
    const del = await call(t.em, 'DELETE', `/server/${uuid}?storages=1&backups=delete`);
    expect([del.status, del.text, del.contentType]).toEqual([204, '', null]);
    expect(t.calls.at(-1)).toBe(`destroy ${uuid}`);
    const gone = await call(t.em, 'GET', `/server/${uuid}`);
    expect([gone.status, gone.json.error.error_code]).toEqual([404, 'SERVER_NOT_FOUND']);
    expect((await call(t.em, 'DELETE', `/server/${uuid}?storages=1`)).status).toBe(404);
    expect(t.em.stats().live_servers).toBe(0);
  });

  it('starts a stopped server back to started; rejects an unknown stop type', async () => {
    const uuid = await t.create();
    await waitForState(t.em, uuid, 'started');
    const badStop = await call(t.em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'gentle' } });
    expect([badStop.status, badStop.json.error.error_code]).toEqual([400, 'STOP_TYPE_INVALID']);
    await call(t.em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'soft', timeout: '60' } });
    await waitForState(t.em, uuid, 'stopped');
    const start = await call(t.em, 'POST', `/server/${uuid}/start`, { server: {} });
    expect([start.status, start.json.server.state]).toEqual([200, 'started']);
    expect(t.calls.filter((c) => c === `start ${uuid}`)).toHaveLength(2);
  });

  it('answers 400 SERVER_INVALID for a malformed UUID and 404 SERVER_NOT_FOUND for an unknown one', async () => {
    const invalid = await call(t.em, 'GET', '/server/not-a-uuid');
    expect([invalid.status, invalid.json.error]).toEqual([400, { error_code: 'SERVER_INVALID', error_message: 'The server UUID is invalid.' }]);
    const unknown = await call(t.em, 'POST', '/server/00000000-0000-4000-8000-000000000000/stop', {});
    expect([unknown.status, unknown.json.error.error_code]).toEqual([404, 'SERVER_NOT_FOUND']);
  });
});

describe('modify and routing', () => {
  it('PUT replaces title and labels with 202 and the full object; a bad label is refused', async () => {
    const uuid = await t.create();
    await waitForState(t.em, uuid, 'started');
    const r = await call(t.em, 'PUT', `/server/${uuid}`, { server: { title: 'renamed', labels: { label: [{ key: 'only', value: 'one' }] } } });
    expect([r.status, r.json.server.title, r.json.server.labels]).toEqual([202, 'renamed', { label: [{ key: 'only', value: 'one' }] }]);
    expect((await call(t.em, 'GET', '/server?label=kamal-dev-service')).json.servers.server).toEqual([]);
    const bad = await call(t.em, 'PUT', `/server/${uuid}`, { server: { labels: { label: [{ key: 'x', value: 'y' }] } } });
    expect([bad.status, bad.json.error.error_code]).toEqual([400, 'INVALID_LABEL_KEY']);
  });

  it('answers 405 for a wrong method, 404 for an unknown resource and 400 for another API version', async () => {
    const wrong = await call(t.em, 'DELETE', '/zone');
    expect([wrong.status, wrong.json.error.error_code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    const unknown = await call(t.em, 'GET', '/firewall');
    expect([unknown.status, unknown.contentType]).toEqual([404, 'application/json; charset=UTF-8']);
    const res = await fetch(t.em.apiUrl.replace('/1.3', '/1.2/zone'), { headers: { Authorization: `Bearer ${t.em.token}` } });
    expect([res.status, ((await res.json()) as any).error.error_code]).toEqual([400, 'API_VERSION_INVALID']);
  });
});

describe('shutdown', () => {
  it('close destroys every live server through the backend, then closes the backend', async () => {
    const a = await t.create();
    const b = await t.create();
    await waitForState(t.em, a, 'started');
    await t.em.close();
    expect(t.calls.slice(-3)).toEqual([`destroy ${a}`, `destroy ${b}`, 'close']);
    await expect(fetch(`${t.em.apiUrl}/zone`)).rejects.toThrow();
  });

  it('undoes a create still in flight at close instead of leaking its machine', async () => {
    const calls: string[] = [];
    const inner = recordingBackend(calls);
    let entered!: () => void;
    const allocating = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const em = await startEmulator({
      backend: { ...inner, allocate: async (s) => (entered(), await gate, inner.allocate(s)) },
    });
    const pending = call(em, 'POST', '/server', createBody()).catch(() => 'dropped');
    await allocating;
    const closing = em.close();
    release();
    await closing;
    expect(await pending).toBe('dropped');
    const uuid = calls[0]?.split(' ')[1];
    expect(calls).toEqual([expect.stringMatching(/^allocate /), `destroy ${uuid}`, 'close']);
  });
});

describe('listing with label filters', () => {
  it('ANDs repeated label filters, key-only and key=value (also as %3D)', async () => {
    const a = await t.create({ labels: { label: [{ key: 'svc', value: 'one' }, { key: 'ws', value: 'a' }] } });
    const b = await t.create({ labels: { label: [{ key: 'svc', value: 'one' }, { key: 'ws', value: 'b' }] } });
    const c = await t.create({ labels: { label: [{ key: 'svc', value: 'two' }] } });
    const uuids = async (query: string) => ((await call(t.em, 'GET', `/server${query}`)).json.servers.server as any[]).map((s) => s.uuid).sort();
    expect(await uuids('')).toEqual([a, b, c].sort());
    expect(await uuids('?label=svc=one')).toEqual([a, b].sort());
    expect(await uuids('/?label=svc%3Done&label=ws=b')).toEqual([b]);
    expect(await uuids('?label=ws')).toEqual([a, b].sort());
    expect(await uuids('?label=svc=three')).toEqual([]);
    const summary = (await call(t.em, 'GET', '/server?label=svc=two')).json.servers.server[0];
    expect(summary.ip_addresses).toBeUndefined();
    expect(summary.labels).toEqual({ label: [{ key: 'svc', value: 'two' }] });
  });
});

describe('catalogue', () => {
  it('prices server plans in cents per hour per zone, consistent with the plan list', async () => {
    const prices = (await call(t.em, 'GET', '/price')).json.prices.zone as any[];
    const nyc = prices.find((z) => z.name === 'us-nyc1');
    expect(nyc['server_plan_1xCPU-2GB']).toEqual({ amount: 1, price: 1.488 });
    const plans = (await call(t.em, 'GET', '/plan')).json.plans.plan as any[];
    for (const name of ['1xCPU-1GB', '1xCPU-2GB', '2xCPU-4GB']) expect(plans.some((p) => p.name === name && p.storage_size > 0)).toBe(true);
    for (const zone of ['us-nyc1', 'de-fra1', 'fi-hel1']) {
      const z = prices.find((p) => p.name === zone);
      for (const p of plans) expect(z[`server_plan_${p.name}`]?.price, `${zone} ${p.name}`).toBeGreaterThan(0);
    }
    const templates = (await call(t.em, 'GET', '/storage/template')).json.storages.storage as any[];
    expect(templates.find((t) => t.uuid === '01000000-0000-4000-8000-000030240200')).toMatchObject({
      title: 'Ubuntu Server 24.04 LTS (Noble Numbat)', template_type: 'cloud-init', type: 'template', access: 'public',
    });
  });
});
