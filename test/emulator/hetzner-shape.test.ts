import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHetznerEmulator, type HetznerEmulator } from '../localcloud/hetzner/emulator.js';
import { shapeDiff } from './shape.js';

/** The emulator's bodies against the fixtures of hcloud-go and hcloud-python (test/localcloud/hetzner/fixtures/). */
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../localcloud/hetzner/fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
/**
 * What the reference notes allow beyond the recorded shapes: `deprecation` is an object or null (null on a type
 * that is not deprecated), `labels` are free-form, and the deprecated top-level `included_traffic` of a server
 * type is absent from the newer recording (cx22).
 */
const allowed = (diffs: string[]) =>
  diffs.filter((d) => !/deprecation: recorded object, got null$/.test(d) && !/\.labels\.[^.]+: not in the recording$/.test(d) && !/^\$\[0\]\.included_traffic: missing$/.test(d));
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIccHCW76xx2rrPAUrjnuT6IjpEF1O+/U4IByVgv99Oi shape';

describe('Hetzner emulator bodies have the shape of the recorded ones', () => {
  let em: HetznerEmulator;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${em.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${em.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
  };
  let created: Awaited<ReturnType<typeof call>>;

  beforeAll(async () => {
    em = await startHetznerEmulator({ bootDelayMs: 30 });
    const key = await call('POST', '/ssh_keys', { name: 'k', public_key: KEY });
    created = await call('POST', '/servers', { name: 'shape-1', server_type: 'cx22', image: 'ubuntu-24.04', location: 'hel1', ssh_keys: [(key.json.ssh_key as { id: number }).id], labels: { a: 'b' } });
  });
  afterAll(() => em.close());

  it('GET /servers/{id} as go-server-get-200.json: every member, `location`, no `datacenter`', async () => {
    await new Promise((r) => setTimeout(r, 80));
    const id = (created.json.server as { id: number }).id;
    const got = await call('GET', `/servers/${id}`);
    expect(got.status).toBe(200);
    expect(allowed(shapeDiff(fixture('go-server-get-200.json'), got.json, new Set(['available', 'recommended'])))).toEqual([]);
    expect(got.json.server).not.toHaveProperty('datacenter');
    expect(got.headers.get('content-type')).toBe('application/json');
    expect(got.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(got.headers.get('ratelimit-limit'))).toBe(3600);
  });

  it('POST /servers as py-server-create-201.json (201, action, next_actions start_server, root_password null with keys)', () => {
    expect(created.status).toBe(201);
    const recorded = fixture('py-server-create-201.json');
    const keys = (o: unknown) => Object.keys(o as object).sort();
    expect(keys(created.json)).toEqual(keys(recorded));
    expect(created.json.root_password).toBeNull();
    const action = created.json.action as Record<string, unknown>;
    expect(keys(action)).toEqual(keys(recorded.action));
    expect(action).toMatchObject({ command: 'create_server', status: 'running', progress: 0, finished: null, error: null });
    expect((created.json.next_actions as Array<{ command: string }>).map((a) => a.command)).toEqual(['start_server']);
  });

  it('GET /actions?id= as go-actions-poll-*.json; unknown IDs are absent', async () => {
    const action = created.json.action as { id: number };
    const got = await call('GET', `/actions?id=${action.id}&id=1`);
    expect(shapeDiff(fixture('go-actions-poll-success.json'), got.json, new Set(['command', 'started', 'finished', 'resources', 'error', 'per_page', 'previous_page', 'next_page', 'last_page', 'total_entries']))).toEqual([]);
    expect((got.json.actions as unknown[]).length).toBe(1);
  });

  it('SSH keys as py-ssh-key-get.json; the same fingerprint again is 409 uniqueness_error on public_key', async () => {
    const list = await call('GET', '/ssh_keys');
    const recorded = fixture('py-ssh-key-get.json');
    expect(shapeDiff(recorded.ssh_key, (list.json.ssh_keys as unknown[])[0])).toEqual([]);
    const again = await call('POST', '/ssh_keys', { name: 'other', public_key: KEY });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: { code: 'uniqueness_error', message: 'SSH key with the same fingerprint already exists', details: { fields: [{ name: 'public_key' }] } } });
  });

  it('server types, locations and images as the fixtures; errors as go-error-*.json', async () => {
    const types = await call('GET', '/server_types');
    expect(allowed(shapeDiff(fixture('py-server-types-list.json').server_types, types.json.server_types, new Set(['locations', 'category', 'included_traffic', 'price_per_tb_traffic'])))).toEqual([]);
    const locations = await call('GET', '/locations');
    expect(shapeDiff(fixture('py-locations-list.json').locations, locations.json.locations)).toEqual([]);
    const images = await call('GET', '/images');
    // the real capture's image object (the py list's test images carry made-up non-null values)
    expect(shapeDiff((fixture('go-server-get-200.json').server as { image: unknown }).image, (images.json.images as unknown[])[0])).toEqual([]);
    expect(Object.keys((images.json.images as object[])[0]!).filter((k) => !k.startsWith('deleted')).sort()).toEqual(Object.keys((fixture('py-images-list.json').images as object[])[0]!).sort());
    em.script({ status: 409, code: 'conflict', message: 'conflict' });
    const conflict = await call('GET', '/locations');
    expect(conflict.status).toBe(409);
    expect(Object.keys(conflict.json.error as object).sort()).toEqual(['code', 'details', 'message']);
    expect((conflict.json.error as { code: string }).code).toBe((fixture('go-error-409-conflict.json').error as { code: string }).code);
  });

  it('a wrong token is 401 unauthorized; a name already used is 409; an unknown image is 422 "image not found"', async () => {
    const res = await fetch(`${em.apiUrl}/servers`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const taken = await call('POST', '/servers', { name: 'shape-1', server_type: 'cx22', image: 'ubuntu-24.04', location: 'fsn1' });
    expect([taken.status, (taken.json.error as { message: string }).message]).toEqual([409, 'server name is already used']);
    const image = await call('POST', '/servers', { name: 'shape-2', server_type: 'cx22', image: 'ubuntu-99', location: 'fsn1' });
    expect([image.status, (image.json.error as { message: string }).message]).toEqual([422, 'image not found']);
  });
});
