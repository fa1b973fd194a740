import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { isLoopback } from '../localcloud/emulator/control-routes.js';
import { FaultInjector } from '../localcloud/emulator/faults.js';
import { call, control, createBody } from './client.js';

let em: Emulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

/** One request; a dropped connection comes back as status 0. */
async function tryCall(e: Emulator, method: string, path: string, body?: unknown): Promise<{ status: number; retryAfter?: string | null }> {
  try {
    const r = await call(e, method, path, body);
    return { status: r.status };
  } catch {
    return { status: 0 };
  }
}

describe('fault injection', () => {
  it('draws faults at roughly the configured rate, the same sequence for the same seed', () => {
    const draw = (seed: number) => {
      const f = new FaultInjector({ rate: 0.3, seed, kinds: ['5xx', '429', 'drop', 'create-500', 'slow'], slowMs: 0 });
      return Array.from({ length: 2000 }, () => f.draw(true));
    };
    const first = draw(42);
    expect(draw(42)).toEqual(first);
    expect(draw(43)).not.toEqual(first);
    const share = first.filter((k) => k !== null).length / first.length;
    expect(share).toBeGreaterThan(0.26);
    expect(share).toBeLessThan(0.34);
    for (const kind of ['5xx', '429', 'drop', 'create-500', 'slow']) {
      expect(first.filter((k) => k === kind).length, kind).toBeGreaterThan(80);
    }
    const noCreate = new FaultInjector({ rate: 1, seed: 1, kinds: ['create-500'], slowMs: 0 });
    expect(noCreate.draw(false)).toBe('5xx');
  });

  it('answers a share of real requests with 5xx, 429 + Retry-After, dropped connections and slow replies', async () => {
    em = await startEmulator({ faultRate: 0.4, seed: 7, slowMs: 5 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 200; i++) {
      try {
        const res = await fetch(`${em.apiUrl}/zone`, { headers: { Authorization: `Bearer ${em.token}` } });
        await res.text();
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      } catch {
        statuses.push(0);
      }
    }
    const failed = statuses.filter((s) => s !== 200).length;
    const stats = em.stats();
    // slow replies succeed; every other drawn fault fails the request
    expect(failed).toBe(stats.faults['5xx'] + stats.faults['429'] + stats.faults.drop);
    expect(failed / 200).toBeGreaterThan(0.2);
    expect(failed / 200).toBeLessThan(0.45);
    expect(statuses).toContain(0);
    expect(statuses).toContain(429);
    expect(statuses.some((s) => s >= 500)).toBe(true);
    expect(retryAfter).toBe('1');
    expect(stats.faults.slow).toBeGreaterThan(0);
    expect(stats.requests['GET /1.3/zone']).toBe(200);
  });

  it('"500 after the server was created" leaves a server behind that a label lookup finds', async () => {
    em = await startEmulator({ faultRate: 1, seed: 3, faultKinds: ['create-500'], bootDelayMs: 50 });
    const body = createBody({ labels: { label: [{ key: 'kamal-dev-request', value: 'req-1' }] } });
    const r = await call(em, 'POST', '/server', body);
    expect(r.status).toBe(500);
    expect(em.stats().live_servers).toBe(1);
    await control(em, 'POST', 'faults', { fault_rate: 0 });
    const found = await call(em, 'GET', '/server?label=kamal-dev-request=req-1');
    expect(found.json.servers.server).toHaveLength(1);
  });

  it('changes faults at runtime and validates the control body', async () => {
    em = await startEmulator();
    expect((await tryCall(em, 'GET', '/plan')).status).toBe(200);
    const set = await control(em, 'POST', 'faults', { fault_rate: 1, seed: 5, kinds: ['429'] });
    expect(set).toMatchObject({ status: 200, fault_rate: 1, seed: 5, kinds: ['429'] });
    expect((await tryCall(em, 'GET', '/plan')).status).toBe(429);
    expect((await tryCall(em, 'POST', '/server', createBody())).status).toBe(429);
    expect(em.stats().live_servers).toBe(0);
    expect((await control(em, 'POST', 'faults', { fault_rate: 2 })).status).toBe(400);
    expect((await control(em, 'POST', 'faults', { kinds: ['meteor'] })).status).toBe(400);
    await control(em, 'POST', 'faults', { fault_rate: 0 });
    expect((await tryCall(em, 'GET', '/plan')).status).toBe(200);
  });
});

describe('control endpoints', () => {
  it('answer loopback clients only', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['10.0.0.1', '198.18.1.2', '::ffff:192.168.1.1', 'fe80::1', undefined]) expect(isLoopback(a), String(a)).toBe(false);
  });
});

describe('GET /_localcloud/stats', () => {
  it('counts requests by method and path pattern and reports live servers', async () => {
    em = await startEmulator({ bootDelayMs: 20 });
    const a = (await call(em, 'POST', '/server', createBody())).json.server.uuid;
    await call(em, 'POST', '/server', createBody());
    await call(em, 'GET', `/server/${a}`);
    await call(em, 'GET', `/server/${a}`);
    await call(em, 'GET', '/server?label=kamal-dev-service=svc');
    await call(em, 'GET', '/price');
    await fetch(`${em.apiUrl}/server`);
    const stats = await control(em, 'GET', 'stats');
    expect(stats.requests).toEqual({
      'POST /1.3/server': 2,
      'GET /1.3/server/{uuid}': 2,
      'GET /1.3/server': 2,
      'GET /1.3/price': 1,
    });
    expect(stats.live_servers).toBe(2);
    expect(stats).toEqual({ status: 200, ...em.stats() });
  });
});
