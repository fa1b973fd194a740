import { ConfigError, ProviderError } from '../../lib/errors.js';
import { Secret } from '../../lib/secret.js';
import { sleep } from '../../lib/sleep.js';
import { HttpTransport, type ClientTimings, type HttpOptions } from '../http.js';
import type { CostEstimate, CreateVmRequest, HourlyRates, Placement, Plan, Provider, StoppedBilling, Vm } from '../provider.js';
import { ActionPoller } from './actions.js';
import { isHetznerTransient, toAppError } from './api-error.js';
import { HetznerApi, parseResponse } from './api.js';
import { Catalog, toPlan } from './catalog.js';
import { hetznerPlacement, type HetznerConfig } from './config.js';
import { estimateFromServerType, ratesFromServerType } from './cost.js';
import { hetznerRetryAfter } from './rate-limit.js';
import { createSafely } from '../safe-create.js';
import { hetznerCreateDriver } from './create-driver.js';
import { ActionResponse } from './schemas.js';
import { createServerBody, labelProblem, toVm } from './server-mapping.js';
import { ensureSshKey } from './ssh-key.js';

export interface HetznerProviderOptions extends Omit<HttpOptions, 'authorization' | 'baseUrl' | 'label' | 'isTransient'>, ClientTimings {
  config: HetznerConfig;
  /** HCLOUD_ENDPOINT or the default, e.g. `https://api.hetzner.cloud/v1`. */
  apiUrl: string;
  token: Secret;
}

/** The Hetzner Cloud API v1 behind the Provider interface. */
export class HetznerProvider implements Provider {
  readonly pricingUrl = 'https://www.hetzner.com/cloud/';
  readonly stoppedBilling: StoppedBilling = {
    billed: 'full',
    rule: 'Hetzner bills a powered-off server in full until it is deleted (docs/costs.md#hetzner-cloud)',
  };
  readonly placement: Placement;
  readonly #config: HetznerConfig;
  readonly #api: HetznerApi;
  readonly #catalog: Catalog;
  readonly #actions: ActionPoller;
  readonly #options: HetznerProviderOptions;
  #sshKey: Promise<number> | undefined;

  constructor(options: HetznerProviderOptions) {
    const { config, apiUrl, token, ...http } = options;
    this.#options = options;
    this.#config = config;
    this.placement = hetznerPlacement(config);
    const transport = new HttpTransport(
      { ...http, baseUrl: apiUrl, label: 'Hetzner', authorization: bearer(token), isTransient: isHetznerTransient },
      hetznerRetryAfter,
    );
    this.#api = new HetznerApi(transport);
    this.#catalog = new Catalog(this.#api, config);
    this.#actions = new ActionPoller(this.#api, options.pollIntervalMs ?? 5_000, this.#actionTimeout);
  }

  async createVm(request: CreateVmRequest, signal?: AbortSignal): Promise<Vm> {
    const problem = labelProblem(request.labels);
    if (problem !== undefined) throw new ProviderError(`cannot create ${request.name}: ${problem}`);
    if (request.sshUser !== 'root') {
      throw new ConfigError(`ssh.user: Hetzner installs the SSH key for root only, got "${request.sshUser}"`, { hint: 'set ssh.user: root in config/dev.yml' });
    }
    const placed = await this.#catalog.placed(signal);
    this.#sshKey ??= ensureSshKey(this.#api, request.sshPublicKey, signal).catch((error: unknown) => {
      this.#sshKey = undefined;
      throw error;
    });
    const sshKeyId = await this.#sshKey;
    const body = createServerBody(request, this.#config.location, placed.type.name, placed.imageId, sshKeyId);
    return createSafely(hetznerCreateDriver(this.#api, request.name, body), request, {
      attempts: this.#options.createAttempts ?? 5,
      lookupDelayMs: this.#options.createLookupDelayMs ?? 5_000,
      backoff: (attempt) => this.#api.http.backoff(attempt),
      signal,
    });
  }

  async getVm(id: string, signal?: AbortSignal): Promise<Vm | undefined> {
    const server = await this.#api.getServer(id, signal);
    return server === undefined ? undefined : toVm(server);
  }

  async listVms(labels: Record<string, string>, signal?: AbortSignal): Promise<Vm[]> {
    return (await this.#api.listServers(labels, signal)).map(toVm);
  }

  /** poweron once the server is off. */
  startVm(id: string, signal?: AbortSignal): Promise<void> {
    return this.#power(id, 'started', signal);
  }

  /** poweroff (a hard stop, as UpCloud's) once the server runs; resolves when Hetzner has done it. */
  stopVm(id: string, signal?: AbortSignal): Promise<void> {
    return this.#power(id, 'stopped', signal);
  }

  /** Brings the server to `target` with poweron or poweroff; a server still busy (starting, stopping) is read again. */
  async #power(id: string, target: 'started' | 'stopped', signal?: AbortSignal): Promise<void> {
    const [from, action, verb] = target === 'started' ? (['stopped', 'poweron', 'start'] as const) : (['started', 'poweroff', 'stop'] as const);
    const deadline = Date.now() + this.#actionTimeout;
    for (;;) {
      const vm = await this.getVm(id, signal);
      if (vm === undefined) throw new ProviderError(`Hetzner server ${id} does not exist`, { status: 404, code: 'not_found' });
      if (vm.state === target) return;
      if (vm.state === from) {
        const response = await this.#api.send('POST', `/servers/${encodeURIComponent(id)}/actions/${action}`, undefined, signal, true);
        if (response.status !== 423) {
          await this.#actions.wait(parseResponse(response, ActionResponse, `${verb} server ${id}`).action, signal);
          continue;
        }
      }
      if (Date.now() > deadline) throw new ProviderError(`Hetzner: server ${id} did not ${verb} before the deadline`);
      await sleep(this.#pollInterval, signal);
    }
  }

  /** DELETE needs no stop; 404 means already gone; `locked` (another action running) is tried again. */
  async destroyVm(id: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.#actionTimeout;
    for (;;) {
      const response = await this.#api.send('DELETE', `/servers/${encodeURIComponent(id)}`, undefined, signal, true);
      if (response.status === 404) return;
      if (response.status !== 423) {
        await this.#actions.wait(parseResponse(response, ActionResponse, `delete server ${id}`).action, signal);
        return;
      }
      if (Date.now() > deadline) throw toAppError(response, `delete server ${id}`);
      await sleep(this.#pollInterval, signal);
    }
  }

  async plans(signal?: AbortSignal): Promise<Plan[]> {
    return (await this.#catalog.types(signal)).map(toPlan);
  }

  async checkPlacement(signal?: AbortSignal): Promise<Plan> {
    return (await this.#catalog.placed(signal)).plan;
  }

  async estimateCost(count: number, signal?: AbortSignal): Promise<CostEstimate> {
    if (!Number.isInteger(count) || count < 0) throw new ConfigError(`VM count must be a whole number, got ${count}`);
    const [placed, currency] = await Promise.all([this.#catalog.placed(signal), this.#api.currency(signal)]);
    return estimateFromServerType(placed.type, this.#config.location, count, currency);
  }

  async hourlyRates(placement: { zone: string; plan: string }, signal?: AbortSignal): Promise<HourlyRates> {
    const [types, currency] = await Promise.all([this.#catalog.types(signal), this.#api.currency(signal)]);
    const type = types.find((t) => t.name === placement.plan);
    if (type === undefined) throw new ProviderError(`Hetzner has no server type ${placement.plan}`);
    return ratesFromServerType(type, placement.zone, currency);
  }

  get #pollInterval(): number {
    return this.#options.pollIntervalMs ?? 5_000;
  }

  get #actionTimeout(): number {
    return this.#options.actionTimeoutMs ?? 600_000;
  }
}

function bearer(token: Secret): Secret {
  return new Secret(`Bearer ${token.reveal()}`);
}
