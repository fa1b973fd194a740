import { ConfigError, ProviderError } from '../../lib/errors.js';
import { sleep } from '../../lib/sleep.js';
import type { CostEstimate, CreateVmRequest, HourlyRates, Placement, Plan, Provider, StoppedBilling, Vm } from '../provider.js';
import { toAppError } from './api-error.js';
import { UpcloudApi } from './api.js';
import { Catalog } from './catalog.js';
import { upcloudPlacement, type UpcloudConfig } from './config.js';
import { authorizationHeader, type UpcloudCredentials } from './credentials.js';
import { estimateFromPrices, ratesFromPrices } from './cost.js';
import type { ClientTimings } from '../http.js';
import { UpcloudHttp, type HttpOptions } from './http.js';
import { createSafely } from '../safe-create.js';
import { upcloudCreateDriver } from './create-driver.js';
import { createServerBody, labelProblem, toVm } from './server-mapping.js';
import { driveServer } from './server-state.js';

export interface UpcloudProviderOptions extends Omit<HttpOptions, 'authorization'>, ClientTimings {
  config: UpcloudConfig;
  credentials: UpcloudCredentials;
}

/** The UpCloud API 1.3 behind the Provider interface. */
export class UpcloudProvider implements Provider {
  readonly pricingUrl = 'https://upcloud.com/pricing';
  readonly stoppedBilling: StoppedBilling = {
    billed: 'full',
    rule: 'UpCloud bills a stopped plan server like a running one until it is deleted (docs/costs.md#upcloud)',
  };
  readonly placement: Placement;
  readonly #config: UpcloudConfig;
  readonly #api: UpcloudApi;
  readonly #catalog: Catalog;
  readonly #options: UpcloudProviderOptions;

  constructor(options: UpcloudProviderOptions) {
    const { credentials, config, ...http } = options;
    this.#config = config;
    this.placement = upcloudPlacement(config);
    this.#api = new UpcloudApi(new UpcloudHttp({ ...http, authorization: authorizationHeader(credentials) }));
    this.#catalog = new Catalog(this.#api);
    this.#options = options;
  }

  async createVm(request: CreateVmRequest, signal?: AbortSignal): Promise<Vm> {
    const plan = await this.#plan(signal);
    try {
      const problem = labelProblem(request.labels);
      if (problem !== undefined) throw new ProviderError(`cannot create ${request.name}: ${problem}`);
      const driver = upcloudCreateDriver(this.#api, request.name, createServerBody(request, this.#config, plan));
      return await createSafely(driver, request, {
        attempts: this.#options.createAttempts ?? 5,
        lookupDelayMs: this.#options.createLookupDelayMs ?? 5_000,
        backoff: (attempt) => this.#api.http.backoff(attempt),
        signal,
      });
    } catch (error) {
      // A plan/zone rejected at create time (e.g. not offered in that zone): re-read the catalogue to name valid ones.
      if (error instanceof ProviderError && /^(PLAN|ZONE)_/.test(error.code ?? '')) {
        this.#catalog.forget();
        await this.#plan(signal);
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

  async startVm(id: string, signal?: AbortSignal): Promise<void> {
    if ((await this.#drive(id, 'started', signal)) === 'gone') throw notFound(id);
  }

  async stopVm(id: string, signal?: AbortSignal): Promise<void> {
    if ((await this.#drive(id, 'stopped', signal, true)) === 'gone') throw notFound(id);
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

  /** The configured plan, its storage as disk_size makes it. */
  async checkPlacement(signal?: AbortSignal): Promise<Plan> {
    const { name, cores, memoryMb, storageGb } = await this.#plan(signal);
    return { name, cores, memoryMb, storageGb: this.#config.disk_size ?? storageGb };
  }

  async estimateCost(count: number, signal?: AbortSignal): Promise<CostEstimate> {
    if (!Number.isInteger(count) || count < 0) throw new ConfigError(`VM count must be a whole number, got ${count}`);
    const { zone, disk_size: diskSizeGb } = this.#config;
    const [plan, prices] = await Promise.all([this.#plan(signal), this.#api.prices(signal)]);
    const zonePrices = prices.zone.find((entry) => entry.name === zone);
    if (zonePrices === undefined) throw new ProviderError(`UpCloud price list has no entry for zone ${zone}`);
    return estimateFromPrices({ plan, zone, count, diskSizeGb, prices: zonePrices, currency: prices.currency });
  }

  async hourlyRates(placement: { zone: string; plan: string }, signal?: AbortSignal): Promise<HourlyRates> {
    const { zone } = placement;
    const [plan, prices] = await Promise.all([this.#catalog.checkPlacement(zone, placement.plan, signal), this.#api.prices(signal)]);
    const zonePrices = prices.zone.find((entry) => entry.name === zone);
    if (zonePrices === undefined) throw new ProviderError(`UpCloud price list has no entry for zone ${zone}`);
    return ratesFromPrices({ plan, zone, diskSizeGb: this.#config.disk_size, prices: zonePrices, currency: prices.currency });
  }

  #plan(signal?: AbortSignal) {
    return this.#catalog.checkPlacement(this.#config.zone, this.#config.plan, signal);
  }

  get #pollInterval(): number {
    return this.#options.pollIntervalMs ?? 5_000;
  }

  #drive(id: string, target: 'stopped' | 'started', signal?: AbortSignal, untilAccepted = false) {
    return driveServer(this.#api, id, target, {
      intervalMs: this.#pollInterval,
      deadline: Date.now() + (this.#options.actionTimeoutMs ?? 600_000),
      signal,
      untilAccepted,
    });
  }
}

function notFound(id: string): ProviderError {
  return new ProviderError(`UpCloud server ${id} does not exist`, { status: 404, code: 'SERVER_NOT_FOUND' });
}
