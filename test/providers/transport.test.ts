import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, CancelledError, ConfigError, ProviderError } from '../../src/lib/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { PlacementError, type CreateVmRequest, type RequestEvent } from '../../src/providers/provider.js';
import { normaliseApiUrl } from '../../src/providers/upcloud/http.js';
import { UpcloudProvider } from '../../src/providers/upcloud/upcloud-provider.js';
import { providerFor, startServer, upcloudConfig, type TestCloud } from './support/start-server.js';

let cloud: TestCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

describe('normaliseApiUrl', () => {
  it.each([
    ['https://api.upcloud.com', 'https://api.upcloud.com/1.3'],
    ['https://api.upcloud.com/', 'https://api.upcloud.com/1.3'],
    ['https://api.upcloud.com/1.3', 'https://api.upcloud.com/1.3'],
    ['http://127.0.0.1:4000/1.3/', 'http://127.0.0.1:4000/1.3'],
  ])('%s -> %s', (input, expected) => expect(normaliseApiUrl(input)).toBe(expected));
});

describe('UpCloud transport against a local API', () => {
  it('accepts the API URL with /1.3 and reports every request without bodies or credentials', async () => {
    cloud = await startServer();
    const events: RequestEvent[] = [];
    const provider = providerFor(cloud, { apiUrl: `${cloud.apiUrl}/1.3/`, onRequest: (event) => events.push(event) });
    const plans = await provider.plans();
    expect(plans.find((plan) => plan.name === '1xCPU-2GB')).toEqual({ name: '1xCPU-2GB', cores: 1, memoryMb: 2048, storageGb: 50, storageTier: 'maxiops' });
    expect(events).toHaveLength(1);
    expect(Object.keys(events[0]!).sort()).toEqual(['method', 'ms', 'path', 'status']);
    expect(events[0]).toMatchObject({ method: 'GET', path: '/plan', status: 200 });
    expect(JSON.stringify(events)).not.toContain(cloud.password);
  });

  it('retries a GET through 5xx and dropped connections', async () => {
    cloud = await startServer();
    cloud.inject('500-before', 'drop-before', '500-after');
    const events: RequestEvent[] = [];
    const vms = await providerFor(cloud, { onRequest: (event) => events.push(event) }).listVms({ managedBy: 'kamal-dev' });
    expect(vms).toEqual([]);
    expect(events.map((event) => event.status)).toEqual([500, undefined, 500, 200]);
  });

  it('honours Retry-After on 429', async () => {
    cloud = await startServer();
    cloud.inject({ status: 429, code: 'TOO_MANY_REQUESTS', message: 'Slow down.', retryAfter: 1 });
    await providerFor(cloud).listVms({});
    const [limited, retried] = cloud.requests();
    expect(limited!.status).toBe(429);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up after its retries with the last error', async () => {
    cloud = await startServer();
    cloud.inject('500-before', '500-before', '500-before');
    const error = await providerFor(cloud, { retries: 2 }).listVms({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(500);
    expect(cloud.requests()).toHaveLength(3);
  });

  it('times out a request that gets no answer', async () => {
    cloud = await startServer();
    cloud.inject('hang');
    const error = await providerFor(cloud, { timeoutMs: 300, retries: 0 }).listVms({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe('UpCloud API GET /server: no answer within 300 ms');
  });

  it('stops at once when the caller aborts', async () => {
    cloud = await startServer();
    cloud.inject('hang');
    const controller = new AbortController();
    const pending = providerFor(cloud, { timeoutMs: 30_000 }).listVms({}, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(cloud.requests()).toHaveLength(1);
  });

  it('maps a 401 to AuthError (exit 4) without retrying or echoing the password', async () => {
    cloud = await startServer();
    const provider = new UpcloudProvider({
      config: upcloudConfig(),
      apiUrl: cloud.apiUrl,
      credentials: { kind: 'basic', username: cloud.username, password: new Secret('wrong-password-1') },
    });
    const error = await provider.listVms({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as AuthError).message).toBe('UpCloud rejected the credentials (401 AUTHENTICATION_FAILED): Authentication failed using the given username and password.');
    expect(cloud.requests()).toHaveLength(1);
  });

  it.each([
    [{ status: 402, code: 'INSUFFICIENT_CREDITS', message: 'Insufficient credits.' }, /not enough credit to create server ws-1 \(402 INSUFFICIENT_CREDITS\)/, /add credit/],
    [{ status: 409, code: 'SERVER_CORE_LIMIT_REACHED', message: 'Core limit reached.' }, /account limit reached, cannot create server ws-1/, /raise the account limits/],
    [{ status: 403, code: 'TRIAL_PLAN', message: 'Trial.', problem: true }, /trial account cannot create server ws-1 .*403 TRIAL_PLAN/, /provider.plan/],
  ])('maps a create answered %j to a ProviderError with what to do, creating nothing', async (answer, message, hint) => {
    cloud = await startServer();
    const provider = providerFor(cloud);
    await provider.checkPlacement();
    cloud.inject(answer);
    const error = await provider.createVm(createRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).exitCode).toBe(1);
    expect((error as ProviderError).message).toMatch(message);
    expect((error as ProviderError).hint).toMatch(hint);
    expect(cloud.liveServers()).toEqual([]);
    expect(cloud.requests().filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('an unknown zone or plan is a ConfigError naming the valid ones, before any create', async () => {
    cloud = await startServer();
    const zone = await providerFor(cloud, { config: { zone: 'de-fra9' } }).createVm(createRequest()).catch((e: unknown) => e);
    expect(zone).toBeInstanceOf(PlacementError);
    expect(zone).toBeInstanceOf(ConfigError);
    expect((zone as ConfigError).exitCode).toBe(2);
    expect((zone as ConfigError).message).toBe(
      'provider.zone: unknown UpCloud zone "de-fra9"; valid: de-fra1, fi-hel1, fi-hel2, nl-ams1, sg-sin1, uk-lon1, us-chi1, us-nyc1, us-sjo1',
    );
    expect((zone as ConfigError).hint).toBe('did you mean "de-fra1"?');
    const plan = await providerFor(cloud, { config: { plan: '1xCPU-3GB' } }).estimateCost(1).catch((e: unknown) => e);
    expect(plan).toBeInstanceOf(PlacementError);
    expect((plan as ConfigError).message).toMatch(/^provider\.plan: unknown UpCloud plan "1xCPU-3GB"; valid: .*1xCPU-1GB, 1xCPU-2GB, .*2xCPU-4GB/);
    expect(cloud.requests().filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('a plan the API refuses at create time re-reads the catalogue, then reports the API answer', async () => {
    cloud = await startServer();
    const provider = providerFor(cloud);
    await provider.checkPlacement();
    cloud.injectOn('POST', { status: 400, code: 'PLAN_INVALID', message: 'The plan is not available in this zone.' });
    const error = await provider.createVm(createRequest()).catch((e: unknown) => e);
    expect((error as ProviderError).message).toBe('UpCloud: cannot create server ws-1 (400 PLAN_INVALID): The plan is not available in this zone.');
    expect(cloud.requests().filter((r) => r.path === '/plan')).toHaveLength(2);
  });

  it('estimates cost from the served price list: 3 x 1xCPU-2GB in de-fra1', async () => {
    cloud = await startServer();
    const provider = providerFor(cloud);
    expect(provider.placement).toEqual({ provider: 'upcloud', zone: 'de-fra1', plan: '1xCPU-2GB' });
    const estimate = await provider.estimateCost(3);
    expect(estimate).toEqual({ currency: 'EUR', newVms: 3, perVmHourly: 0.01488, hourly: 0.04464, monthly: 30, hoursPerMonth: 672 });
  });

  it('prices the configured disk_size beyond the plan disk, and refuses a VM count that is not a whole number', async () => {
    cloud = await startServer();
    const provider = providerFor(cloud, { config: { disk_size: 60 } });
    // (1.488 + 10 x 0.031) c/h = 1.798 c/h per VM
    expect(await provider.estimateCost(3)).toMatchObject({ perVmHourly: 0.01798, hourly: 0.05394, monthly: 36.25 });
    for (const count of [-1, 1.5]) {
      await expect(provider.estimateCost(count)).rejects.toThrow(`VM count must be a whole number, got ${count}`);
    }
  });
});

function createRequest(): CreateVmRequest {
  return {
    name: 'ws-1',
    sshUser: 'root',
    sshPublicKey: 'ssh-ed25519 AAAA test',
    labels: { managedBy: 'kamal-dev', 'kamal-dev-request': 'req-transport' },
  };
}
