import { randomBytes } from 'node:crypto';
import { Secret } from '../../../src/lib/secret.js';
import { UpcloudProvider, type UpcloudProviderOptions } from '../../../src/providers/upcloud/index.js';
import { type LoggedRequest, type Scripted, TestApiServer } from './test-api-server.js';

/**
 * The seam between the provider tests and the API they talk to. Today it starts TestApiServer; pointing the
 * same tests at the emulator means implementing this interface on top of test/localcloud/emulator/.
 */
export interface TestCloud {
  apiUrl: string;
  username: string;
  password: string;
  setFaultRate(rate: number): void;
  /** Faults or error answers for the next requests, in order, before any random fault. */
  inject(...faults: Scripted[]): void;
  /** Faults for the next requests of one HTTP method, before any other. */
  injectOn(method: string, ...faults: Scripted[]): void;
  requests(): readonly LoggedRequest[];
  liveServers(): Array<{ uuid: string; state: string; labels: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startServer(options: { faultRate?: number; seed?: number; bootDelayMs?: number } = {}): Promise<TestCloud> {
  const username = `user-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const api = new TestApiServer({ username, password, ...options });
  await api.start();
  return {
    apiUrl: api.url,
    username,
    password,
    setFaultRate: (rate) => {
      api.faultRate = rate;
    },
    inject: (...faults) => {
      api.script.push(...faults);
    },
    injectOn: (method, ...faults) => {
      api.methodScript.set(method, [...(api.methodScript.get(method) ?? []), ...faults]);
    },
    requests: () => api.log,
    liveServers: () =>
      [...api.servers.values()].map((server) => ({
        uuid: server.uuid,
        state: server.state,
        labels: Object.fromEntries(server.labels.map((label) => [label.key, label.value])),
      })),
    close: () => api.close(),
  };
}

/** A provider with test timings: short polls and backoff, many retries, no grace before a create look-up. */
export function providerFor(cloud: TestCloud, overrides: Partial<UpcloudProviderOptions> = {}): UpcloudProvider {
  return new UpcloudProvider({
    apiUrl: cloud.apiUrl,
    credentials: { kind: 'basic', username: cloud.username, password: new Secret(cloud.password) },
    timeoutMs: 2_000,
    retries: 10,
    retryBaseMs: 2,
    retryMaxMs: 20,
    pollIntervalMs: 10,
    createAttempts: 10,
    createLookupDelayMs: 0,
    ...overrides,
  });
}
