import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { FaultInjector, isEffect } from '../localcloud/emulator/faults.js';
import { call, control, createBody } from './client.js';

let em: Emulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

/** One request; a dropped connection comes back as status 0. */
async function tryCall(e: Emulator, method: string, path: string, body?: unknown) {
  try {
    return await call(e, method, path, body);
  } catch {
    return { status: 0, contentType: null, text: '', json: undefined };
  }
}

const labelled = (value: string) => createBody({ labels: { label: [{ key: 'kamal-dev-request', value }] } });

describe('scripted faults', () => {
  it('come before random ones, in order, those of the request method first', () => {
    const f = new FaultInjector({ rate: 1, seed: 1, kinds: ['429'], slowMs: 0 });
    f.script(['500-before', 'pass']);
    f.script(['drop-after'], 'POST');
    expect(f.pending()).toBe(3);
    expect([f.next('GET', false), f.next('POST', true), f.next('POST', true), f.next('GET', false)]).toEqual(['500-before', 'drop-after', 'pass', '429']);
    expect(f.scripted).toBe(3);
    expect(f.counts['429']).toBe(1);
  });

  it('serve a random `lost-after` (any method) as a 500 or a dropped connection after the request took effect', async () => {
    em = await startEmulator({ faultRate: 1, faultKinds: ['lost-after'] });
    expect((await tryCall(em, 'POST', '/server', labelled('a'))).status).toBe(0);
    expect((await tryCall(em, 'POST', '/server', labelled('b'))).status).toBe(500);
    expect(em.servers().map((s) => s.labels[0]!.value)).toEqual(['a', 'b']);
    expect(em.stats().faults['lost-after']).toBe(2);
    expect(new FaultInjector({ rate: 1, seed: 1, kinds: ['lost-after'], slowMs: 0 }).draw(false)).toBe('lost-after');
  });

  it('accept the effect names and error answers with a status of 400-599 only', () => {
    for (const ok of ['hang', 'mangle-after', { status: 429, code: 'X', message: 'm', retryAfter: 2 }, { status: 403, code: 'T', message: 't', problem: true }]) {
      expect(isEffect(ok), JSON.stringify(ok)).toBe(true);
    }
    for (const bad of ['meteor', { status: 200, code: 'X', message: 'm' }, { status: 500, code: 'X' }, { status: 429, code: 'X', message: 'm', retryAfter: -1 }, null, []]) {
      expect(isEffect(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('"before" effects answer without creating; "after" effects create, then lose the answer', async () => {
    em = await startEmulator();
    em.scriptOn('POST', '500-before', 'drop-before', '429', '503-before');
    for (const status of [500, 0, 429, 503]) expect((await tryCall(em, 'POST', '/server', labelled('a'))).status).toBe(status);
    expect(em.servers()).toHaveLength(0);

    em.scriptOn('POST', '500-after', 'drop-after', 'mangle-after');
    const lost = await call(em, 'POST', '/server', labelled('b'));
    expect(lost).toMatchObject({ status: 500, json: { error: { error_code: 'INTERNAL_ERROR' } } });
    expect((await tryCall(em, 'POST', '/server', labelled('c'))).status).toBe(0);
    const mangled = await call(em, 'POST', '/server', labelled('d'));
    expect(mangled.status).toBe(202);
    expect(() => JSON.parse(mangled.text)).toThrow();
    expect(em.servers().map((s) => s.labels[0]!.value)).toEqual(['b', 'c', 'd']);
  });

  it('an "after" effect on an action that fails still loses its answer; a DELETE dropped after is done', async () => {
    em = await startEmulator({ bootDelayMs: 0 });
    const uuid = (await call(em, 'POST', '/server', createBody())).json.server.uuid as string;
    await call(em, 'POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'hard' } });
    while (em.servers()[0]?.state !== 'stopped') await new Promise((r) => setTimeout(r, 5));
    em.scriptOn('DELETE', 'drop-after', '500-after');
    expect((await tryCall(em, 'DELETE', `/server/${uuid}`)).status).toBe(0);
    expect(em.servers()).toHaveLength(0);
    expect((await call(em, 'DELETE', `/server/${uuid}`)).status).toBe(500);
    expect((await call(em, 'DELETE', `/server/${uuid}`)).json.error.error_code).toBe('SERVER_NOT_FOUND');
  });

  it('sends error answers as given: legacy or problem+json, with Retry-After', async () => {
    em = await startEmulator();
    em.script({ status: 429, code: 'TOO_MANY_REQUESTS', message: 'Slow down.', retryAfter: 3 }, { status: 403, code: 'TRIAL_PLAN', message: 'Trial.', problem: true });
    const res = await fetch(`${em.apiUrl}/plan`, { headers: { Authorization: `Bearer ${em.token}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ error: { error_code: 'TOO_MANY_REQUESTS', error_message: 'Slow down.' } });
    const problem = await call(em, 'GET', '/plan');
    expect(problem.contentType).toBe('application/problem+json');
    expect(problem.json).toEqual({ type: 'https://developers.upcloud.com/1.3/errors#ERROR_TRIAL_PLAN', title: 'Trial.', status: 403 });
    expect((await call(em, 'GET', '/plan')).status).toBe(200);
  });

  it('"hang" never answers; the request log shows it, and close() ends it', async () => {
    em = await startEmulator();
    em.script('hang');
    const ended = new Promise<string>((resolve) => {
      const req = httpRequest(`${em!.apiUrl}/zone`, { headers: { Authorization: `Bearer ${em!.token}` } }, () => resolve('answered'));
      req.on('error', () => resolve('closed'));
      req.end();
    });
    while (em.requestLog()[0]?.status === undefined || em.requestLog()[0]?.status === 0) await new Promise((r) => setTimeout(r, 5));
    expect(em.requestLog()).toMatchObject([{ method: 'GET', path: '/1.3/zone', status: 'hung' }]);
    await em.close();
    expect(await ended).toBe('closed');
  });
});

describe('POST /_localcloud/script and GET /_localcloud/requests', () => {
  it('script the next requests over HTTP and log every API request with its body and outcome', async () => {
    em = await startEmulator();
    expect(await control(em, 'POST', 'script', { effects: ['drop-before', { status: 402, code: 'INSUFFICIENT_CREDITS', message: 'No.' }] })).toEqual({ status: 200, pending: 2 });
    expect(await control(em, 'POST', 'script', { effects: ['500-after'], method: 'DELETE' })).toEqual({ status: 200, pending: 3 });
    await tryCall(em, 'GET', '/zone');
    await call(em, 'POST', '/server', labelled('x'));
    await call(em, 'GET', '/server?label=kamal-dev-request=x');
    await fetch(`${em.apiUrl}/price`);
    const { requests } = await control(em, 'GET', 'requests');
    expect(requests.map((r: { method: string; path: string; status: unknown }) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /1.3/zone dropped',
      'POST /1.3/server 402',
      'GET /1.3/server?label=kamal-dev-request=x 200',
      'GET /1.3/price 401',
    ]);
    expect(requests[1].body).toEqual(labelled('x'));
    expect(requests[0].body).toBeUndefined();
    expect(requests[0].at).toBeLessThanOrEqual(requests[3].at);
    expect(em.servers()).toHaveLength(0);
    expect(em.requestLog()).toEqual(requests);
  });

  it('refuses a bad script with 400 and queues nothing', async () => {
    em = await startEmulator();
    for (const body of [{}, { effects: [] }, { effects: ['meteor'] }, { effects: [{ status: 200, code: 'X', message: 'm' }] }, { effects: ['pass'], method: 'post' }]) {
      const r = await control(em, 'POST', 'script', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.error.error_code).toBe('REQUEST_INVALID');
    }
    expect((await call(em, 'GET', '/zone')).status).toBe(200);
  });
});
