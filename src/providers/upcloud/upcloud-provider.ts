import { ConfigError, ProviderError } from '../../lib/errors.js';
import { sleep } from '../../lib/sleep.js';
import type { UpcloudCredentials } from '../credentials.js';
import { authorizationHeader } from '../credentials.js';
import type { CostEstimate, CreateVmRequest, Plan, Provider, Vm, WaitOptions } from '../provider.js';
import { toAppError } from './api-error.js';
import { UpcloudApi } from './api.js';
import { Catalog } from './catalog.js';
import { estimateFromPrices } from './cost.js';
import { UpcloudHttp, type HttpOptions } from './http.js';
import { createVmSafely } from './safe-create.js';
import { toVm } from './server-mapping.js';
import { driveServer } from './server-state.js';

export interface UpcloudProviderOptions extends Omit<HttpOptions, 'authorization'> {
  credentials: UpcloudCredentials;
  /** Between state polls. Default 5 s, the official SDK's interval. */
  pollIntervalMs?: number;
  /** Default overall deadline of waitUntilRunning. Default 15 min. */
  waitTimeoutMs?: number;
  /** Deadline of a stop, start or destroy. Default 10 min. */
  actionTimeoutMs?: number;
  /** POST attempts of one create. Default 5. */
  createAttempts?: number;
  /** Pause before looking up a create whose outcome is unknown. Default 5 s. */
  createLookupDelayMs?: number;
}

/** The UpCloud API 1.3 behind the Provider interface. */
export class UpcloudProvider implements Provider {
  readonly #api: UpcloudApi;
  readonly #catalog: Catalog;
  readonly #options: UpcloudProviderOptions;

  constructor(options: UpcloudProviderOptions) {
    const { credentials, ...http } = options;
    this.#api = new UpcloudApi(new UpcloudHttp({ ...http, authorization: authorizationHeader(credentials) }));
    this.#catalog = new Catalog(this.#api);
    this.#options = options;
  }

  async createVm(request: CreateVmRequest, signal?: AbortSignal): Promise<Vm> {
    const plan = await this.#catalog.checkPlacement(request.zone, request.plan, signal);
    try {
      return await createVmSafely(this.#api, request, plan, {
        attempts: this.#options.createAttempts ?? 5,
        lookupDelayMs: this.#options.createLookupDelayMs ?? 5_000,
        backoff: (attempt) => this.#api.http.backoff(attempt),
        signal,
      });
    } catch (error) {
      // A plan/zone rejected at create time (e.g. not offered in that zone): re-read the catalogue to name valid ones.
      if (error instanceof ProviderError && /^(PLAN|ZONE)_/.test(error.code ?? '')) {
        this.#catalog.forget();
        await this.#catalog.checkPlacement(request.zone, request.plan, signal);
      }
      throw error;
    }
  }

  async getVm(id: string, signal?: AbortSignal): Promise<Vm | undefined> {
    const server = await this.#api.getServer(id, signal);
    return server === undefined ? undefined : toVm(server);
  }

  async listVms(labels: Record<string, string>, signal?: AbortSignal): Promise<Vm[]> {
    return (await this.#api.listServers(labels, signal)).map(toVm);
  }

  async waitUntilRunning(ids: readonly string[], labels: Record<string, string>, options: WaitOptions = {}): Promise<Map<string, Vm>> {
    const interval = options.intervalMs ?? this.#pollInterval;
    const deadline = Date.now() + (options.timeoutMs ?? this.#options.waitTimeoutMs ?? 900_000);
    const pending = new Set(ids);
    if (pending.size === 0) return new Map();
    const lastState = new Map<string, string>();
    const running = new Map<string, Vm>();
    for (;;) {
      const listed = new Map((await this.#api.listServers(labels, options.signal)).map((server) => [server.uuid, server]));
      for (const id of [...pending]) {
        // The list is a summary without addresses, so a started VM is read once in full for its IP.
        // Missing from the list (labels changed?): read it directly rather than wait for nothing.
        const state = listed.get(id)?.state ?? (await this.#read(id, options.signal)).state;
        lastState.set(id, state);
        if (state !== 'started') continue;
        const vm = toVm(await this.#read(id, options.signal));
        running.set(id, vm);
        pending.delete(id);
        options.onStarted?.(vm);
      }
      if (pending.size === 0) return running;
      if (Date.now() + interval > deadline) {
        const states = [...pending].map((id) => `${id} (${lastState.get(id) ?? 'unknown'})`).join(', ');
        throw new ProviderError(`UpCloud: VMs not started before the deadline: ${states}`);
      }
      await sleep(interval, options.signal);
    }
  }

  async stopVm(id: string, signal?: AbortSignal): Promise<void> {
    if ((await this.#drive(id, 'stopped', signal)) === 'gone') throw notFound(id);
  }

  async startVm(id: string, signal?: AbortSignal): Promise<void> {
    if ((await this.#drive(id, 'started', signal)) === 'gone') throw notFound(id);
  }

  async destroyVm(id: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.#options.actionTimeoutMs ?? 600_000);
    for (;;) {
      if ((await this.#drive(id, 'stopped', signal)) === 'gone') return;
      const response = await this.#api.action('DELETE', `/server/${encodeURIComponent(id)}?storages=1`, undefined, signal);
      if (response.status === 204 || response.status === 200 || response.status === 404) return;
      if (response.status !== 409) throw toAppError(response, `delete server ${id}`);
      // 409: someone or something changed its state between our read and the delete; read it again.
      if (Date.now() > deadline) throw new ProviderError(`UpCloud: server ${id} could not be deleted before the deadline`, { status: 409 });
      await sleep(this.#pollInterval, signal);
    }
  }

  plans(signal?: AbortSignal): Promise<Plan[]> {
    return this.#catalog.plans(signal);
  }

  checkPlacement(zone: string, plan: string, signal?: AbortSignal): Promise<Plan> {
    return this.#catalog.checkPlacement(zone, plan, signal);
  }

  async estimateCost(
    request: { plan: string; zone: string; count: number; diskSizeGb: number | undefined },
    signal?: AbortSignal,
  ): Promise<CostEstimate> {
    if (!Number.isInteger(request.count) || request.count < 0) throw new ConfigError(`VM count must be a whole number, got ${request.count}`);
    const [plan, prices] = await Promise.all([this.#catalog.checkPlacement(request.zone, request.plan, signal), this.#api.prices(signal)]);
    const zonePrices = prices.zone.find((entry) => entry.name === request.zone);
    if (zonePrices === undefined) throw new ProviderError(`UpCloud price list has no entry for zone ${request.zone}`);
    return estimateFromPrices({ plan, zone: request.zone, count: request.count, diskSizeGb: request.diskSizeGb, prices: zonePrices, currency: prices.currency });
  }

  get #pollInterval(): number {
    return this.#options.pollIntervalMs ?? 5_000;
  }

  async #read(id: string, signal?: AbortSignal) {
    const server = await this.#api.getServer(id, signal);
    if (server === undefined) throw new ProviderError(`UpCloud server ${id} disappeared while waiting for it to start`, { status: 404 });
    return server;
  }

  #drive(id: string, target: 'stopped' | 'started', signal?: AbortSignal) {
    return driveServer(this.#api, id, target, {
      intervalMs: this.#pollInterval,
      deadline: Date.now() + (this.#options.actionTimeoutMs ?? 600_000),
      signal,
    });
  }
}

function notFound(id: string): ProviderError {
  return new ProviderError(`UpCloud server ${id} does not exist`, { status: 404, code: 'SERVER_NOT_FOUND' });
}
