import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, ProviderError } from '../../../src/lib/errors.js';
import { ExitCode } from '../../../src/lib/exit-codes.js';
import { Secret } from '../../../src/lib/secret.js';
import { md5Fingerprint } from '../../../src/providers/hetzner/ssh-key.js';
import { PlacementError } from '../../../src/providers/provider.js';
import { startHetznerEmulator, type HetznerEmulator } from '../../localcloud/hetzner/emulator.js';
import { createRequest, hetznerConfig, hetznerFor, KEY, startedVm } from './support.js';

let em: HetznerEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

const start = async (options: Parameters<typeof startHetznerEmulator>[0] = {}) => (em = await startHetznerEmulator({ bootDelayMs: 50, ...options }));
const paths = (e: HetznerEmulator, method: string, prefix: string) => e.requestLog().filter((r) => r.method === method && r.path.startsWith(prefix));

describe('Hetzner provider on the emulator', () => {
  it('creates servers with labels and one SSH key resource named by its fingerprint, reused by the next create', async () => {
    const e = await start();
    const provider = hetznerFor(e);
    const vms = await Promise.all(['w-1', 'w-2', 'w-3'].map((name) => provider.createVm(createRequest(name))));
    for (const vm of vms) expect(await startedVm(provider, vm.id)).toMatchObject({ state: 'started', zone: 'fsn1', plan: 'cx22' });
    expect(paths(e, 'POST', '/v1/ssh_keys')).toHaveLength(1);
    expect(paths(e, 'POST', '/v1/ssh_keys')[0]!.body).toMatchObject({ name: `kamal-dev-${md5Fingerprint(KEY).replaceAll(':', '')}` });
    // a second provider (the next kamal-dev run) finds the key by its fingerprint
    await hetznerFor(e).createVm(createRequest('w-4'));
    expect(paths(e, 'POST', '/v1/ssh_keys')).toHaveLength(1);
    expect(paths(e, 'GET', '/v1/ssh_keys?fingerprint=')).toHaveLength(2);
    const listed = await provider.listVms({ 'kamal-dev-service': 'emu', 'kamal-dev-workspace': 'w-2' });
    expect(listed.map((vm) => vm.name)).toEqual(['w-2']);
    expect(decodeURIComponent(paths(e, 'GET', '/v1/servers?').at(-1)!.path)).toContain('label_selector=kamal-dev-service=emu,kamal-dev-workspace=w-2');
    expect(Number(vms[0]!.id)).toBeGreaterThan(2 ** 32);
  });

  it('sends the user_data of a create as given (revealed only into the body); a create without it sends none', async () => {
    const e = await start();
    const provider = hetznerFor(e);
    expect(provider.userData).toBe(true);
    const userData = '#cloud-config\nruncmd:\n- [echo, hi]\n';
    await provider.createVm({ ...createRequest('u-1'), userData: new Secret(userData) });
    await provider.createVm(createRequest('u-2'));
    const [withData, without] = paths(e, 'POST', '/v1/servers');
    expect(withData!.body).toMatchObject({ name: 'u-1', user_data: userData });
    expect(without!.body).not.toHaveProperty('user_data');
  });

  it('the emulator refuses user_data over 32 KiB, as Hetzner does', async () => {
    const e = await start();
    const response = await fetch(`${e.apiUrl}/servers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big', server_type: 'cx22', image: 'ubuntu-24.04', location: 'fsn1', user_data: 'x'.repeat(32 * 1024 + 1) }),
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_input');
  });

  it('the MD5 fingerprint matches hcloud-go\'s test vector', () => {
    expect(md5Fingerprint('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIccHCW76xx2rrPAUrjnuT6IjpEF1O+/U4IByVgv99Oi')).toBe('77:79:69:b1:4d:c6:b6:45:6a:e9:52:29:04:3e:59:48');
  });

  it('deletes without a stop, waits for the delete actions in one batched poll, and counts 404 as done', async () => {
    const e = await start({ bootDelayMs: 20 });
    const provider = hetznerFor(e, { pollIntervalMs: 100 });
    const vms = await Promise.all(Array.from({ length: 6 }, (_, i) => provider.createVm(createRequest(`d-${i}`))));
    await Promise.all(vms.map((vm) => startedVm(provider, vm.id)));
    const before = paths(e, 'GET', '/v1/actions').length;
    await Promise.all(vms.map((vm) => provider.destroyVm(vm.id)));
    const polls = paths(e, 'GET', '/v1/actions').slice(before);
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.length).toBeLessThanOrEqual(2);
    expect(new URL(polls[0]!.path, 'http://x').searchParams.getAll('id')).toHaveLength(6);
    expect(paths(e, 'POST', '/v1/servers/').filter((r) => /poweroff|shutdown/.test(r.path))).toHaveLength(0);
    expect(e.stats().live_servers).toBe(0);
    await provider.destroyVm(vms[0]!.id);
  });

  it('starts a server that is off with poweron and waits for its action', async () => {
    const e = await start();
    const provider = hetznerFor(e);
    const vm = await provider.createVm(createRequest('p-1'));
    await startedVm(provider, vm.id);
    await fetch(`${e.apiUrl}/servers/${vm.id}/actions/poweroff`, { method: 'POST', headers: { authorization: `Bearer ${e.token}` } });
    for (let i = 0; i < 100 && (await provider.getVm(vm.id))?.state !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
    await provider.startVm(vm.id);
    expect((await provider.getVm(vm.id))?.state).toBe('started');
    expect(paths(e, 'POST', `/v1/servers/${vm.id}/actions/poweron`)).toHaveLength(1);
  });

  it('costs 3 cx22 in fsn1 exactly as the recorded price list: gross hourly, the monthly cap, the currency', async () => {
    const e = await start();
    const cost = await hetznerFor(e).estimateCost(3);
    expect(cost).toEqual({ currency: 'EUR', newVms: 3, perVmHourly: 0.0052, hourly: 0.0156, monthly: 9.87, hoursPerMonth: 633 });
  });
});

describe('Hetzner configuration checked against the API', () => {
  const placementError = async (overrides: Parameters<typeof hetznerConfig>[0]) => {
    const e = await start();
    const error = await hetznerFor(e, { config: hetznerConfig(overrides) }).checkPlacement().catch((x: unknown) => x);
    await e.close();
    em = undefined;
    expect(error).toBeInstanceOf(PlacementError);
    return error as PlacementError;
  };

  it('an unknown location names the closest', async () => {
    const error = await placementError({ location: 'fsn2' });
    expect(error.message).toBe('provider.location: unknown Hetzner location "fsn2"; valid: fsn1, hel1, nbg1');
    expect(error.hint).toBe('did you mean "fsn1"?');
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it('an unknown server type names the closest one orderable in the location', async () => {
    const error = await placementError({ server_type: 'cx23' });
    expect(error.message).toMatch(/^provider\.server_type: unknown Hetzner server type "cx23" .*valid: cx21, cx22$/);
    expect(error.hint).toMatch(/did you mean "cx2[12]"\?/);
  });

  it('a server type that cannot be ordered in the location (past unavailable_after) is refused', async () => {
    const error = await placementError({ server_type: 'cx11' });
    expect(error.message).toBe('provider.server_type: Hetzner server type cx11 cannot be ordered in fsn1; valid: cx21, cx22');
  });

  it('an image unknown for the server type\'s architecture names the closest', async () => {
    const error = await placementError({ image: 'ubuntu-24.4' });
    expect(error.message).toBe('provider.image: unknown Hetzner image "ubuntu-24.4" for x86; valid: debian-13, ubuntu-24.04');
    expect(error.hint).toBe('did you mean "ubuntu-24.04"?');
  });
});

describe('Hetzner errors', () => {
  it('a wrong token is unauthorized: exit 4, and the token is nowhere in the error', async () => {
    const e = await start();
    const error = (await hetznerFor(e, { token: new Secret('wrong-token-0123456789') }).checkPlacement().catch((x: unknown) => x)) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(ExitCode.auth);
    expect(error.message).toContain('401 unauthorized');
    expect(`${error.message} ${error.hint}`).not.toContain('wrong-token');
  });

  it.each([
    [{ status: 403, code: 'resource_limit_exceeded', message: 'server limit exceeded' }, /Limits/],
    [{ status: 422, code: 'placement_error', message: 'error during placement' }, /another provider\.location/],
    [{ status: 422, code: 'invalid_input', message: 'unsupported location for server type' }, /provider\.server_type offered in provider\.location/],
    [{ status: 412, code: 'resource_unavailable', message: 'cannot be ordered' }, /another provider\.server_type/],
  ])('%o on create says what to do', async (answer, hint) => {
    const e = await start();
    const provider = hetznerFor(e);
    await provider.checkPlacement();
    e.scriptOn('POST', 'pass', answer);
    const error = (await provider.createVm(createRequest('x-1')).catch((x: unknown) => x)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe(answer.code);
    expect(error.hint).toMatch(hint);
    expect(e.stats().live_servers).toBe(0);
  });

  it('uniqueness_error for a name taken by a server that is not ours: no adoption, a hint', async () => {
    const e = await start();
    const provider = hetznerFor(e);
    await provider.createVm(createRequest('same'));
    const other = createRequest('same');
    other.labels['kamal-dev-request'] = 'req-other';
    const error = (await provider.createVm(other).catch((x: unknown) => x)) as ProviderError;
    expect(error.code).toBe('uniqueness_error');
    expect(error.hint).toMatch(/already exists/);
    expect(e.stats().live_servers).toBe(1);
  });

  it('resource_limit_exceeded from the project quota', async () => {
    const e = await start();
    await fetch(`${e.url}/_localcloud/quota`, { method: 'POST', body: JSON.stringify({ max_cores: 2 }) });
    const provider = hetznerFor(e);
    await provider.createVm(createRequest('q-1'));
    const error = (await provider.createVm(createRequest('q-2')).catch((x: unknown) => x)) as ProviderError;
    expect(error.code).toBe('resource_limit_exceeded');
    expect(error.message).toContain('403 resource_limit_exceeded');
  });

  it('rate_limit_exceeded: waits the refill time the RateLimit headers give, then succeeds; when it persists, says when it resets', async () => {
    const e = await start({ rateLimit: 7200 });
    const provider = hetznerFor(e, { retries: 1 });
    e.script('429');
    const started = Date.now();
    await provider.plans();
    // 7200/h: one request refills in 500 ms
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    e.script('429', '429');
    const error = (await hetznerFor(e, { retries: 1 }).plans().catch((x: unknown) => x)) as ProviderError;
    expect(error.message).toMatch(/rate limit of 7200 requests per hour reached, cannot list server types \(429 rate_limit_exceeded\); the full allowance is back at \d{4}-/);
    expect(error.hint).toMatch(/wait/);
  });

  it('a missing token is exit 2 naming HCLOUD_TOKEN', async () => {
    const { hetzner } = await import('../../../src/providers/hetzner/index.js');
    const error = (await hetzner
      .create({ config: hetznerConfig(), env: {}, secrets: new Map(), pollIntervalMs: 10, onSecret: () => undefined })
      .catch((x: unknown) => x)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('HCLOUD_TOKEN');
  });
});

describe('Hetzner create under faults', () => {
  it('lost answers, 5xx, 429 and drops around creates leave exactly one server per request', async () => {
    const e = await start({ faultRate: 0.4, seed: 11, faultKinds: ['5xx', '429', 'drop', 'create-500', 'lost-after'] });
    const provider = hetznerFor(e);
    const names = Array.from({ length: 12 }, (_, i) => `f-${i}`);
    const results = await Promise.allSettled(names.map((name) => provider.createVm(createRequest(name))));
    const servers = e.servers();
    const perRequest = new Map<string, number>();
    for (const s of servers) perRequest.set(s.labels['kamal-dev-request']!, (perRequest.get(s.labels['kamal-dev-request']!) ?? 0) + 1);
    expect([...perRequest.values()].every((n) => n === 1)).toBe(true);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(servers).toHaveLength(12);
    expect(Object.values(e.stats().faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(3);
  });
});
