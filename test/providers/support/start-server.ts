import { Secret } from '../../../src/lib/secret.js';
import { UpcloudConfigSchema, type UpcloudConfig } from '../../../src/providers/upcloud/config.js';
import { UpcloudProvider, type UpcloudProviderOptions } from '../../../src/providers/upcloud/upcloud-provider.js';
import { startEmulator } from '../../localcloud/emulator/emulator.js';
import type { Effect, FaultKind } from '../../localcloud/emulator/faults.js';
import type { RequestRecord } from '../../localcloud/emulator/state.js';

/** The seam between the provider tests and the UpCloud API emulator (test/localcloud/emulator/). */
export interface TestCloud {
  /** The API base URL without /1.3. */
  apiUrl: string;
  username: string;
  password: string;
  /** Faults or error answers for the next requests, in order, before any random fault. */
  inject(...faults: Effect[]): void;
  /** Faults for the next requests of one HTTP method, before any other. */
  injectOn(method: string, ...faults: Effect[]): void;
  /** The emulator's request log, each path without the /1.3 prefix (e.g. `/server?label=...`). */
  requests(): readonly RequestRecord[];
  /** Random faults drawn so far, by kind. */
  faultCounts(): Record<FaultKind, number>;
  liveServers(): Array<{ uuid: string; state: string; ip: string; labels: Record<string, string> }>;
  /** Hard-stops a server through the API itself (not through the provider) and waits until it is `stopped`. */
  stopServer(uuid: string): Promise<void>;
  close(): Promise<void>;
}

/** `slow` is left out: it only delays, and would slow the suites down. `lost-after` hits every method. */
const RANDOM_KINDS: readonly FaultKind[] = ['5xx', '429', 'drop', 'create-500', 'lost-after'];

export async function startServer(options: { faultRate?: number; seed?: number; bootDelayMs?: number; stopDelayMs?: number } = {}): Promise<TestCloud> {
  const em = await startEmulator({ bootDelayMs: 50, ...options, faultKinds: RANDOM_KINDS });
  return {
    apiUrl: em.url,
    username: em.username,
    password: em.password,
    inject: (...faults) => em.script(...faults),
    injectOn: (method, ...faults) => em.scriptOn(method, ...faults),
    requests: () => em.requestLog().map((r) => ({ ...r, path: r.path.replace(/^\/1\.3(?=\/|$)/, '') })),
    faultCounts: () => em.stats().faults,
    liveServers: () =>
      em.servers().map((s) => ({ uuid: s.uuid, state: s.state, ip: s.publicIp, labels: Object.fromEntries(s.labels.map((l) => [l.key, l.value])) })),
    stopServer: async (uuid) => {
      const authorization = `Basic ${Buffer.from(`${em.username}:${em.password}`).toString('base64')}`;
      const send = (method: string, path: string, body?: unknown) =>
        fetch(`${em.apiUrl}${path}`, {
          method,
          headers: { Authorization: authorization, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }).then(async (res) => ({ status: res.status, json: (await res.json()) as { server?: { state?: string } } }));
      const stop = await send('POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'hard' } });
      if (stop.status !== 200) throw new Error(`stop of ${uuid} answered ${stop.status}`);
      for (const deadline = Date.now() + 10_000; ; ) {
        if ((await send('GET', `/server/${uuid}`)).json.server?.state === 'stopped') return;
        if (Date.now() > deadline) throw new Error(`server ${uuid} never stopped`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () => em.close(),
  };
}

/** `provider:` of config/dev.yml as the schema gives it (defaults filled in): de-fra1, 1xCPU-2GB unless overridden. */
export function upcloudConfig(overrides: Partial<Omit<UpcloudConfig, 'type'>> = {}): UpcloudConfig {
  return UpcloudConfigSchema.parse({ type: 'upcloud', zone: 'de-fra1', plan: '1xCPU-2GB', ...overrides });
}

export type ProviderOverrides = Partial<Omit<UpcloudProviderOptions, 'config'>> & { config?: Partial<Omit<UpcloudConfig, 'type'>> };

/** A provider with test timings: short polls and backoff, many retries, no grace before a create look-up. */
export function providerFor(cloud: TestCloud, overrides: ProviderOverrides = {}): UpcloudProvider {
  const { config, ...options } = overrides;
  return new UpcloudProvider({
    config: upcloudConfig(config),
    apiUrl: cloud.apiUrl,
    credentials: { kind: 'basic', username: cloud.username, password: new Secret(cloud.password) },
    timeoutMs: 2_000,
    retries: 10,
    retryBaseMs: 2,
    retryMaxMs: 20,
    pollIntervalMs: 10,
    createAttempts: 10,
    createLookupDelayMs: 0,
    ...options,
  });
}
