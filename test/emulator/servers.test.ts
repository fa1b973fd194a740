import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VmBackend } from '../localcloud/backend.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { createNoneBackend } from '../localcloud/none-backend.js';
import { call, control, createBody, waitForState } from './client.js';

/** The none backend, with every call it receives written down. */
function recordingBackend(calls: string[]): VmBackend {
  const inner = createNoneBackend();
  return {
    name: 'none',
    allocate: async (s) => {
      calls.push(`allocate ${s.uuid} ${s.hostname} docker=${s.options.docker} ssh=${s.options.ssh} keys=${s.sshKeys.length}`);
      return inner.allocate(s);
    },
    start: async (uuid) => void calls.push(`start ${uuid}`),
    stop: async (uuid) => void calls.push(`stop ${uuid}`),
    destroy: async (uuid) => void calls.push(`destroy ${uuid}`),
    close: async () => void calls.push('close'),
  };
}

let em: Emulator;
let calls: string[];
beforeEach(async () => {
  calls = [];
  em = await startEmulator({ bootDelayMs: 50, backend: recordingBackend(calls) });
});
afterEach(async () => {
  await em.close();
});

async function create(overrides: Record<string, unknown> = {}): Promise<string> {
  const r = await call(em, 'POST', '/server', createBody(overrides));
  expect(r.status, r.text).toBe(202);
  return r.json.server.uuid as string;
}

describe('authentication', () => {
  it('answers 401 AUTHENTICATION_REQUIRED without credentials, even on unknown paths', async () => {
    for (const path of ['/server', '/no-such-thing']) {
      const r = await fetch(`${em.apiUrl}${path}`);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(((await r.json()) as any).error.error_code).toBe('AUTHENTICATION_REQUIRED');
    }
  });

  it('answers 401 AUTHENTICATION_FAILED for a wrong password or token, 200 for the right Basic or Bearer', async () => {
    const wrong = await call(em, 'GET', '/zone', undefined, `Basic ${Buffer.from(`${em.username}:nope`).toString('base64')}`);
    expect([wrong.status, wrong.json.error.error_code]).toEqual([401, 'AUTHENTICATION_FAILED']);
    const badToken = await call(em, 'GET', '/zone', undefined, 'Bearer ucat_wrong');
    expect([badToken.status, badToken.json.error.error_code]).toEqual([401, 'AUTHENTICATION_FAILED']);
    expect((await call(em, 'GET', '/zone', undefined, `Bearer ${em.token}`)).status).toBe(200);
    expect((await call(em, 'GET', '/zone')).status).toBe(200);
    expect(em.token.startsWith('ucat_')).toBe(true);
  });
});

describe('server lifecycle', () => {
  it('creates in maintenance with the backend address, then boots to started', async () => {
    const r = await call(em, 'POST', '/server', createBody());
    const s = r.json.server;
    expect([s.state, s.progress, s.username, s.plan, s.core_number, s.memory_amount]).toEqual(['maintenance', '0', 'root', '1xCPU-2GB', '1', '2048']);
    expect(typeof s.password).toBe('string');
    const publicV4 = s.ip_addresses.ip_address.find((a: any) => a.access === 'public' && a.family === 'IPv4');
    expect(publicV4.address).toMatch(/^198\.19\.\d+\.\d+$/);
    expect(s.storage_devices.storage_device[0]).toMatchObject({ storage_size: 50, storage_tier: 'maxiops', part_of_plan: 'yes' });
    expect(calls).toEqual([`allocate ${s.uuid} ws-1 docker=false ssh=true keys=1`]);
    await waitForState(em, s.uuid, 'started');
    expect(calls).toContain(`start ${s.uuid}`);
    const got = await call(em, 'GET', `/server/${s.uuid}`);
    expect(got.json.server.password).toBeUndefined();
    expect(got.json.server.progress).toBeUndefined();
  });

  it('refuses stop, start and delete in the wrong states with 409 SERVER_STATE_ILLEGAL', async () => {
    const uuid = await create();
    for (const [method, path] of [['POST', `/server/${uuid}/stop`], ['POST', `/server/${uuid}/start`], ['DELETE', `/server/${uuid}?storages=1`]] as const) {
      const r = await call(em, method, path, method === 'POST' ? {} : undefined);
      expect([r.status, r.json.error.error_code], `${method} ${path} in maintenance`).toEqual([409, 'SERVER_STATE_ILLEGAL']);
      expect(r.json.error.error_message).toBe(`The operation is not allowed while the server ${uuid} is in state 'maintenance'.`);
    }
    await waitForState(em, uuid, 'started');
    expect((await call(em, 'POST', `/server/${uuid}/start`, { server: {} })).status).toBe(409);
    const del = await call(em, 'DELETE', `/server/${uuid}?storages=1`);
    expect([del.status, del.json.error.error_message]).toEqual([409, `The operation is not allowed while the server ${uuid} is in state 'started'.`]);
    expect(em.stats().live_servers).toBe(1);
    expect(calls.some((c) => c.startsWith('destroy'))).toBe(false);
  });

  it('stops (reply still started), deletes only when stopped with 204 and no body, then destroys the machine', async () => {
    const uuid = await create();
    await waitForState(em, uuid, 'started');
    const stop = await call(em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'hard', timeout: '60' } });
    expect([stop.status, stop.json.server.state]).toEqual([200, 'started']);
    expect((await call(em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'hard' } })).status).toBe(409);
    await waitForState(em, uuid, 'stopped');
    expect(calls).toContain(`stop ${uuid}`);
    const bad = await call(em, 'DELETE', `/server/${uuid}?storages=2`);
    expect([bad.status, bad.json.error.error_code]).toEqual([400, 'STORAGE_DELETION_POLICY_INVALID']);
    const del = await call(em, 'DELETE', `/server/${uuid}?storages=1&backups=delete`);
    expect([del.status, del.text, del.contentType]).toEqual([204, '', null]);
    expect(calls.at(-1)).toBe(`destroy ${uuid}`);
    const gone = await call(em, 'GET', `/server/${uuid}`);
    expect([gone.status, gone.json.error.error_code]).toEqual([404, 'SERVER_NOT_FOUND']);
    expect((await call(em, 'DELETE', `/server/${uuid}?storages=1`)).status).toBe(404);
    expect(em.stats().live_servers).toBe(0);
  });

  it('starts a stopped server back to started; rejects an unknown stop type', async () => {
    const uuid = await create();
    await waitForState(em, uuid, 'started');
    const badStop = await call(em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'gentle' } });
    expect([badStop.status, badStop.json.error.error_code]).toEqual([400, 'STOP_TYPE_INVALID']);
    await call(em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'soft', timeout: '60' } });
    await waitForState(em, uuid, 'stopped');
    const start = await call(em, 'POST', `/server/${uuid}/start`, { server: {} });
    expect([start.status, start.json.server.state]).toEqual([200, 'started']);
    expect(calls.filter((c) => c === `start ${uuid}`)).toHaveLength(2);
  });

  it('answers 400 SERVER_INVALID for a malformed UUID and 404 SERVER_NOT_FOUND for an unknown one', async () => {
    const invalid = await call(em, 'GET', '/server/not-a-uuid');
    expect([invalid.status, invalid.json.error]).toEqual([400, { error_code: 'SERVER_INVALID', error_message: 'The server UUID is invalid.' }]);
    const unknown = await call(em, 'POST', '/server/00000000-0000-4000-8000-000000000000/stop', {});
    expect([unknown.status, unknown.json.error.error_code]).toEqual([404, 'SERVER_NOT_FOUND']);
  });
});

describe('shutdown', () => {
  it('close destroys every live server through the backend, then closes the backend', async () => {
    const a = await create();
    const b = await create();
    await waitForState(em, a, 'started');
    await em.close();
    expect(calls.slice(-3)).toEqual([`destroy ${a}`, `destroy ${b}`, 'close']);
    await expect(fetch(`${em.apiUrl}/zone`)).rejects.toThrow();
  });
});

describe('listing with label filters', () => {
  it('ANDs repeated label filters, key-only and key=value (also as %3D)', async () => {
    const a = await create({ labels: { label: [{ key: 'svc', value: 'one' }, { key: 'ws', value: 'a' }] } });
    const b = await create({ labels: { label: [{ key: 'svc', value: 'one' }, { key: 'ws', value: 'b' }] } });
    const c = await create({ labels: { label: [{ key: 'svc', value: 'two' }] } });
    const uuids = async (query: string) => ((await call(em, 'GET', `/server${query}`)).json.servers.server as any[]).map((s) => s.uuid).sort();
    expect(await uuids('')).toEqual([a, b, c].sort());
    expect(await uuids('?label=svc=one')).toEqual([a, b].sort());
    expect(await uuids('/?label=svc%3Done&label=ws=b')).toEqual([b]);
    expect(await uuids('?label=ws')).toEqual([a, b].sort());
    expect(await uuids('?label=svc=three')).toEqual([]);
    const summary = (await call(em, 'GET', '/server?label=svc=two')).json.servers.server[0];
    expect(summary.ip_addresses).toBeUndefined();
    expect(summary.labels).toEqual({ label: [{ key: 'svc', value: 'two' }] });
  });
});

describe('create validation', () => {
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['missing zone', { zone: undefined }, 400, 'ZONE_MISSING'],
    ['unknown zone', { zone: 'xx-nowhere1' }, 400, 'ZONE_INVALID'],
    ['missing title', { title: undefined }, 400, 'SERVER_TITLE_MISSING'],
    ['missing hostname', { hostname: undefined }, 400, 'HOSTNAME_MISSING'],
    ['bad hostname', { hostname: 'under_score!' }, 400, 'HOSTNAME_INVALID'],
    ['unknown plan', { plan: '3xCPU-3GB' }, 400, 'PLAN_INVALID'],
    ['no storage devices', { storage_devices: { storage_device: [] } }, 400, 'STORAGE_DEVICES_MISSING'],
    ['unknown template', { storage_devices: { storage_device: [{ action: 'clone', storage: '01000000-0000-4000-8000-000099999999' }] } }, 404, 'STORAGE_NOT_FOUND'],
    ['disk below the template size', { storage_devices: { storage_device: [{ action: 'clone', storage: '01000000-0000-4000-8000-000030240200', size: 1 }] } }, 400, 'SIZE_INVALID'],
    ['cloud-init template without metadata', { metadata: 'no' }, 400, 'METADATA_DISABLED_ON_CLOUD-INIT'],
    ['system label key', { labels: { label: [{ key: '_os', value: 'x' }] } }, 400, 'INVALID_LABEL_KEY'],
    ['duplicate label keys', { labels: { label: [{ key: 'ab', value: 'x' }, { key: 'ab', value: 'y' }] } }, 400, 'DUPLICATE_LABEL_KEYS'],
    ['label value too long', { labels: { label: [{ key: 'ab', value: 'x'.repeat(256) }] } }, 400, 'INVALID_LABEL_VALUE'],
    ['bad password delivery', { password_delivery: 'pigeon' }, 400, 'PASSWORD_DELIVERY_INVALID'],
  ];
  for (const [what, overrides, status, code] of cases) {
    it(`${what} -> ${status} ${code}, nothing created`, async () => {
      const r = await call(em, 'POST', '/server', createBody(overrides));
      expect([r.status, r.json.error.error_code], r.text).toEqual([status, code]);
      expect(r.contentType).toBe('application/json; charset=UTF-8');
      expect(em.stats().live_servers).toBe(0);
      expect(calls).toEqual([]);
    });
  }

  it('rejects a body that is not JSON', async () => {
    const r = await call(em, 'POST', '/server', '{"server":');
    expect([r.status, r.json.error.error_code]).toEqual([400, 'REQUEST_INVALID']);
  });
});

describe('injected account errors', () => {
  it('answers 402 INSUFFICIENT_CREDITS while credits are switched off, and creates again after', async () => {
    expect((await control(em, 'POST', 'credits', { insufficient: true })).status).toBe(200);
    const r = await call(em, 'POST', '/server', createBody());
    expect([r.status, r.json.error.error_code]).toEqual([402, 'INSUFFICIENT_CREDITS']);
    expect(em.stats().live_servers).toBe(0);
    await control(em, 'POST', 'credits', { insufficient: false });
    await create();
  });

  it('answers 409 SERVER_CORE_LIMIT_REACHED past the core quota', async () => {
    await control(em, 'POST', 'quota', { max_cores: 3 });
    await create({ plan: '2xCPU-4GB' });
    const r = await call(em, 'POST', '/server', createBody({ plan: '2xCPU-4GB' }));
    expect([r.status, r.json.error.error_code]).toEqual([409, 'SERVER_CORE_LIMIT_REACHED']);
    await create({ plan: '1xCPU-1GB' });
    expect(em.stats().live_servers).toBe(2);
  });

  it('gives the next N servers the queued machine options', async () => {
    expect((await control(em, 'POST', 'next-servers', { count: 2, docker: true, ssh: false })).pending).toBe(2);
    await create();
    await create();
    await create();
    expect(calls.map((c) => c.replace(/^allocate \S+ /, ''))).toEqual([
      'ws-1 docker=true ssh=false keys=1',
      'ws-1 docker=true ssh=false keys=1',
      'ws-1 docker=false ssh=true keys=1',
    ]);
    const dump = await control(em, 'GET', 'servers');
    expect(dump.servers.map((s: any) => s.localcloud_options)).toEqual(
      expect.arrayContaining([{ docker: true, ssh: false }, { docker: false, ssh: true }]),
    );
    expect((await control(em, 'POST', 'next-servers', { count: 0 })).status).toBe(400);
  });
});

describe('catalogue', () => {
  it('prices server plans in cents per hour per zone, consistent with the plan list', async () => {
    const prices = (await call(em, 'GET', '/price')).json.prices.zone as any[];
    const nyc = prices.find((z) => z.name === 'us-nyc1');
    expect(nyc['server_plan_1xCPU-2GB']).toEqual({ amount: 1, price: 1.488 });
    const plans = (await call(em, 'GET', '/plan')).json.plans.plan as any[];
    for (const name of ['1xCPU-1GB', '1xCPU-2GB', '2xCPU-4GB']) expect(plans.some((p) => p.name === name && p.storage_size > 0)).toBe(true);
    for (const zone of ['us-nyc1', 'de-fra1', 'fi-hel1']) {
      const z = prices.find((p) => p.name === zone);
      for (const p of plans) expect(z[`server_plan_${p.name}`]?.price, `${zone} ${p.name}`).toBeGreaterThan(0);
    }
    const templates = (await call(em, 'GET', '/storage/template')).json.storages.storage as any[];
    expect(templates.find((t) => t.uuid === '01000000-0000-4000-8000-000030240200')).toMatchObject({
      title: 'Ubuntu Server 24.04 LTS (Noble Numbat)', template_type: 'cloud-init', type: 'template', access: 'public',
    });
  });
});
