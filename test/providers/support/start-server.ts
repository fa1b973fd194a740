import { Secret } from '../../../src/lib/secret.js';
import { UpcloudProvider, type UpcloudProviderOptions } from '../../../src/providers/upcloud/index.js';
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
  close(): Promise<void>;
}

/** `slow` is left out: it only delays, and would slow the suites down. `lost-after` hits every method. */
const RANDOM_KINDS: readonly FaultKind[] = ['5xx', '429', 'drop', 'create-500', 'lost-after'];

export async function startServer(options: { faultRate?: number; seed?: number; bootDelayMs?: number } = {}): Promise<TestCloud> {
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
    close: () => em.close(),
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
