import { describe, expect, it } from 'vitest';
import { startEmulator } from '../localcloud/emulator/emulator.js';
import { call, control, createBody } from './client.js';
import { useEmulator } from './harness.js';

const t = useEmulator();

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
      const r = await call(t.em, 'POST', '/server', createBody(overrides));
      expect([r.status, r.json.error.error_code], r.text).toEqual([status, code]);
      expect(r.contentType).toBe('application/json; charset=UTF-8');
      expect(t.em.stats().live_servers).toBe(0);
      expect(t.calls).toEqual([]);
    });
  }

  it('rejects a body that is not JSON', async () => {
    const r = await call(t.em, 'POST', '/server', '{"server":');
    expect([r.status, r.json.error.error_code]).toEqual([400, 'REQUEST_INVALID']);
  });
});

describe('injected account errors', () => {
  it('answers 402 INSUFFICIENT_CREDITS while credits are switched off, and creates again after', async () => {
    expect((await control(t.em, 'POST', 'credits', { insufficient: true })).status).toBe(200);
    const r = await call(t.em, 'POST', '/server', createBody());
    expect([r.status, r.json.error.error_code]).toEqual([402, 'INSUFFICIENT_CREDITS']);
    expect(t.em.stats().live_servers).toBe(0);
    await control(t.em, 'POST', 'credits', { insufficient: false });
    await t.create();
  });

  it('answers 409 SERVER_CORE_LIMIT_REACHED past the core quota', async () => {
    await control(t.em, 'POST', 'quota', { max_cores: 3 });
    await t.create({ plan: '2xCPU-4GB' });
    const r = await call(t.em, 'POST', '/server', createBody({ plan: '2xCPU-4GB' }));
    expect([r.status, r.json.error.error_code]).toEqual([409, 'SERVER_CORE_LIMIT_REACHED']);
    await t.create({ plan: '1xCPU-1GB' });
    expect(t.em.stats().live_servers).toBe(2);
  });

  it('answers 409 SERVER_CREATING_LIMIT_REACHED while too many servers are still being created', async () => {
    const em = await startEmulator({ bootDelayMs: 600_000 });
    try {
      await control(em, 'POST', 'quota', { max_creating: 1 });
      expect((await call(em, 'POST', '/server', createBody())).status).toBe(202);
      const r = await call(em, 'POST', '/server', createBody());
      expect([r.status, r.json.error.error_code]).toEqual([409, 'SERVER_CREATING_LIMIT_REACHED']);
      expect(em.stats().live_servers).toBe(1);
      await control(em, 'POST', 'quota', { max_creating: null });
      expect((await call(em, 'POST', '/server', createBody())).status).toBe(202);
      expect((await control(em, 'POST', 'quota', { max_creating: -1 })).status).toBe(400);
    } finally {
      await em.close();
    }
  });

  it('gives the next N servers the queued machine options', async () => {
    expect((await control(t.em, 'POST', 'next-servers', { count: 2, docker: true, ssh: false })).pending).toBe(2);
    await t.create();
    await t.create();
    await t.create();
    expect(t.calls.filter((c) => c.startsWith('allocate')).map((c) => c.replace(/^allocate \S+ /, ''))).toEqual([
      'ws-1 docker=true ssh=false keys=1',
      'ws-1 docker=true ssh=false keys=1',
      'ws-1 docker=false ssh=true keys=1',
    ]);
    const dump = await control(t.em, 'GET', 'servers');
    expect(dump.servers.map((s: any) => s.localcloud_options)).toEqual(
      expect.arrayContaining([{ docker: true, ssh: false }, { docker: false, ssh: true }]),
    );
    expect((await control(t.em, 'POST', 'next-servers', { count: 0 })).status).toBe(400);
  });
});

