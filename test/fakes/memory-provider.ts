import { CancelledError, ConfigError, ProviderError } from '../../src/lib/errors.js';
import { REQUEST_LABEL } from '../../src/providers/labels.js';
import {
  PlacementError,
  type CostEstimate,
  type CreateVmRequest,
  type HourlyRates,
  type Placement,
  type Plan,
  type Provider,
  type StoppedBilling,
  type Vm,
} from '../../src/providers/provider.js';
import { PLANS, ZONES } from '../localcloud/emulator/catalog.js';
import { parseLabels } from '../localcloud/emulator/create-request.js';
import { ApiError } from '../localcloud/emulator/http-reply.js';
import { CREATED_STATE, labelFilters, ServerTable, showsAddresses, upcloudUuid, type Label, type Read, type ServerState } from '../localcloud/emulator/rules.js';

/**
 * A Provider in memory, for unit tests of what drives providers (deploy, remove, list --rebuild...). Its servers
 * follow the emulator's own rules (test/localcloud/emulator/rules.ts): create -> maintenance -> started after the
 * boot delay, start only from stopped, stop only from started, delete only when stopped, ANDed label filters, a
 * list without addresses. Like UpcloudProvider, startVm and destroyVm read the state and drive the server there
 * (destroy: stop, wait for stopped, delete), waiting out `maintenance`; stopVm returns once the stop has begun.
 *
 * Time: every delay defaults to 0 (a transition completes at once, right after the call that began it). With a
 * ManualClock the delays run on it and complete only when the test calls `clock.advance(ms)`; without one, a
 * delay above 0 is a real timer.
 */

export type ProviderMethod = 'createVm' | 'getVm' | 'listVms' | 'startVm' | 'stopVm' | 'destroyVm' | 'plans' | 'checkPlacement' | 'estimateCost' | 'hourlyRates';

/** One call of a Provider method, with its arguments as given (the AbortSignal left out). */
export interface ProviderCall {
  method: ProviderMethod;
  args: unknown[];
}

export interface Price {
  currency: string;
  /** Per VM of the configured plan, in currency units per hour. */
  perVmHourly: number;
  /** Default 672 (28 days, as UpCloud bills a month). */
  hoursPerMonth?: number;
  /** What a stopped VM costs per hour; default perVmHourly (billed in full, as UpCloud and Hetzner do). */
  stoppedHourly?: number;
}

export interface MemoryProviderOptions {
  /** Default { provider: 'memory', zone: 'de-fra1', plan: '1xCPU-2GB' }. */
  placement?: Partial<Placement>;
  /** Zones checkPlacement knows; default the emulator's (UpCloud's recorded list). */
  zones?: readonly string[];
  /** Plans checkPlacement knows and plans() returns; default the emulator's. */
  plans?: readonly Plan[];
  /** The price estimateCost uses; default 0.01488 EUR/h (UpCloud 1xCPU-2GB, de-fra1). null: the price list cannot be read. */
  price?: Price | null;
  pricingUrl?: string;
  /** create -> started. Default 0. */
  bootDelayMs?: number;
  /** start of a stopped server -> started. Default 0 (the emulator's start waits only for its machine). */
  startDelayMs?: number;
  /** stop -> stopped. Default 0. */
  stopDelayMs?: number;
  clock?: ManualClock;
}

export interface CreateFailure {
  /** true: the VM is made, but the answer is lost and looking for it fails too. false: nothing is made. */
  after: boolean;
  /** What createVm throws; default a ProviderError like UpcloudProvider's for that case. */
  error?: Error;
}

/** A clock that moves only when told: tasks scheduled on it run during advance(), in time order. */
export class ManualClock {
  #now = 0;
  #seq = 0;
  #tasks: Array<{ at: number; seq: number; run: () => void }> = [];

  now(): number {
    return this.#now;
  }

  schedule(ms: number, run: () => void): void {
    this.#tasks.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, run });
  }

  /** Moves time on by `ms`, running every task due by then (including ones scheduled meanwhile). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      this.#tasks.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#tasks[0];
      if (next === undefined || next.at > until) break;
      this.#tasks.shift();
      this.#now = next.at;
      next.run();
    }
    this.#now = until;
  }

  /** Tasks not yet run. */
  pending(): number {
    return this.#tasks.length;
  }
}

interface MemoryServer {
  uuid: string;
  state: ServerState;
  labels: Label[];
  title: string;
  zone: string;
  plan: string;
  ip: string;
}

const DEFAULT_PLANS: readonly Plan[] = PLANS.map((plan) => ({ name: plan.name, cores: plan.core_number, memoryMb: plan.memory_amount, storageGb: plan.storage_size }));
const MICRO = 1_000_000;

export class MemoryProvider implements Provider {
  readonly placement: Placement;
  readonly pricingUrl: string;
  readonly stoppedBilling: StoppedBilling;
  /** Every Provider method call, in order. */
  readonly calls: ProviderCall[] = [];
  readonly clock: ManualClock | undefined;

  readonly #table = new ServerTable<MemoryServer>();
  readonly #zones: readonly string[];
  readonly #plans: readonly Plan[];
  readonly #price: Price | null;
  readonly #delays: { boot: number; start: number; stop: number };
  readonly #createFailures: CreateFailure[] = [];
  readonly #failures = new Map<ProviderMethod, Error[]>();
  readonly #waiters = new Set<() => void>();
  #bootFailures = 0;
  #addresses = 0;

  constructor(options: MemoryProviderOptions = {}) {
    this.placement = { provider: 'memory', zone: 'de-fra1', plan: '1xCPU-2GB', ...options.placement };
    this.pricingUrl = options.pricingUrl ?? 'https://example.invalid/pricing';
    this.#zones = options.zones ?? ZONES.map((zone) => zone.id);
    this.#plans = options.plans ?? DEFAULT_PLANS;
    this.#price = options.price === undefined ? { currency: 'EUR', perVmHourly: 0.01488 } : options.price;
    const partly = this.#price?.stoppedHourly !== undefined && this.#price.stoppedHourly < this.#price.perVmHourly;
    this.stoppedBilling = partly ? { billed: 'partial', rule: 'memory provider: a stopped VM costs less' } : { billed: 'full', rule: 'memory provider: a stopped VM is billed in full' };
    this.#delays = { boot: options.bootDelayMs ?? 0, start: options.startDelayMs ?? 0, stop: options.stopDelayMs ?? 0 };
    this.clock = options.clock;
  }

  // --- scripting -------------------------------------------------------------------------------------------

  /** The next createVm fails (queued: each call scripts one more create). */
  failNextCreate(failure: CreateFailure): this {
    this.#createFailures.push(failure);
    return this;
  }

  /** The next call of `method` throws `error` (default a 503 ProviderError) before doing anything. Queued. */
  failNext(method: ProviderMethod, error?: Error): this {
    const queue = this.#failures.get(method) ?? [];
    queue.push(error ?? new ProviderError(`memory provider: ${method} failed (503 SERVICE_UNAVAILABLE): scripted failure`, { status: 503, code: 'SERVICE_UNAVAILABLE' }));
    this.#failures.set(method, queue);
    return this;
  }

  /** The next boot (of a create or a start) ends in `error`, as the emulator's does when its machine fails to start. */
  failNextBoot(): this {
    this.#bootFailures++;
    return this;
  }

  /** The VM disappears at the provider, whatever its state (deleted in the console). false if it did not exist. */
  vanish(id: string): boolean {
    const gone = this.#table.drop(id) !== undefined;
    this.#changed();
    return gone;
  }

  /** Someone stops the VM outside kamal-dev: the stop rule applies (started only), then stopped after the stop delay. */
  stopOutside(id: string): void {
    const { server } = this.#rule(`stop server ${id}`, () => this.#table.beginStop(id));
    this.#after(this.#delays.stop, () => this.#table.stopped(server));
  }

  /** The VM's own OS powers it off (the idle watcher): the power-off rule of rules.ts, then stopped after the stop delay. */
  powerOffInside(id: string): void {
    const server = this.#table.beginPowerOff(id);
    if (server) this.#after(this.#delays.stop, () => this.#table.stopped(server));
  }

  /** Someone deletes the VM outside kamal-dev: the delete rule applies (stopped only; else a 409 ProviderError, as the API refuses it). */
  deleteOutside(id: string): void {
    this.#rule(`delete server ${id}`, () => this.#table.remove(id));
    this.#changed();
  }

  /** What exists at the provider now, in full (addresses included), oldest first. */
  servers(): Vm[] {
    return this.#table.all().map((server) => toVm(server, 'get'));
  }

  /** The arguments of each call of `method`, in order. */
  callsOf(method: ProviderMethod): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  // --- Provider --------------------------------------------------------------------------------------------

  async createVm(request: CreateVmRequest, signal?: AbortSignal): Promise<Vm> {
    this.#enter('createVm', [structuredClone(request)], signal);
    await this.#checkPlacement();
    const requestId = request.labels[REQUEST_LABEL];
    if (requestId === undefined || requestId === '') throw new Error(`createVm needs a ${REQUEST_LABEL} label to stay duplicate-safe`);
    const labels = this.#rule(`create server ${request.name}`, () => parseLabels({ label: Object.entries(request.labels).map(([key, value]) => ({ key, value })) }));
    const failure = this.#createFailures.shift();
    if (failure !== undefined && !failure.after) {
      throw (
        failure.error ??
        new ProviderError(`memory provider: cannot create server ${request.name} (500 INTERNAL_ERROR): scripted failure; nothing was created`, {
          status: 500,
          code: 'INTERNAL_ERROR',
        })
      );
    }

    const n = this.#addresses++;
    const server = this.#table.add({
      uuid: upcloudUuid('00'),
      state: CREATED_STATE,
      labels,
      title: request.name,
      zone: this.placement.zone,
      plan: this.placement.plan,
      ip: `100.64.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`,
    });
    const reply = toVm(server, 'create');
    this.#boot(server, this.#delays.boot);

    if (failure !== undefined) {
      throw (
        failure.error ??
        new ProviderError(`memory provider: create server ${request.name}: no answer; looking for the server afterwards failed too: no answer`, {
          code: 'NO_RESPONSE',
          hint: `a server labelled ${REQUEST_LABEL}=${requestId} may exist: check with \`kamal-dev list --rebuild\` before deploying again`,
        })
      );
    }
    return reply;
  }

  async getVm(id: string, signal?: AbortSignal): Promise<Vm | undefined> {
    this.#enter('getVm', [id], signal);
    const server = this.#lookup(id);
    return server === undefined ? undefined : toVm(server, 'get');
  }

  async listVms(labels: Record<string, string>, signal?: AbortSignal): Promise<Vm[]> {
    this.#enter('listVms', [{ ...labels }], signal);
    return this.#table.list(labelFilters(labels)).map((server) => toVm(server, 'list'));
  }

  async startVm(id: string, signal?: AbortSignal): Promise<void> {
    this.#enter('startVm', [id], signal);
    for (;;) {
      const server = this.#lookup(id);
      if (server === undefined) throw new ProviderError(`memory provider: server ${id} does not exist`, { status: 404, code: 'SERVER_NOT_FOUND' });
      if (server.state === 'started') return;
      if (server.state === 'error') throw stuck(id, 'started', server.state);
      if (server.state === 'stopped') this.#boot(this.#table.beginStart(id), this.#delays.start);
      else await this.#nextChange(signal);
    }
  }

  async stopVm(id: string, signal?: AbortSignal): Promise<void> {
    this.#enter('stopVm', [id], signal);
    for (;;) {
      const server = this.#lookup(id);
      if (server === undefined) throw new ProviderError(`memory provider: server ${id} does not exist`, { status: 404, code: 'SERVER_NOT_FOUND' });
      if (server.state === 'stopped') return;
      if (server.state === 'error') throw stuck(id, 'stopped', server.state);
      if (server.state === 'started') {
        const { server: stopping } = this.#table.beginStop(id);
        this.#after(this.#delays.stop, () => this.#table.stopped(stopping));
        return;
      }
      await this.#nextChange(signal);
    }
  }

  async destroyVm(id: string, signal?: AbortSignal): Promise<void> {
    this.#enter('destroyVm', [id], signal);
    for (;;) {
      const server = this.#lookup(id);
      if (server === undefined) return;
      if (server.state === 'error') throw stuck(id, 'stopped', server.state);
      if (server.state === 'stopped') {
        this.#table.remove(id);
        this.#changed();
        return;
      }
      if (server.state === 'started') {
        const { server: stopping } = this.#table.beginStop(id);
        this.#after(this.#delays.stop, () => this.#table.stopped(stopping));
      } else {
        await this.#nextChange(signal);
      }
    }
  }

  async plans(signal?: AbortSignal): Promise<Plan[]> {
    this.#enter('plans', [], signal);
    return this.#plans.map((plan) => ({ ...plan }));
  }

  async checkPlacement(signal?: AbortSignal): Promise<Plan> {
    this.#enter('checkPlacement', [], signal);
    return this.#checkPlacement();
  }

  async estimateCost(count: number, signal?: AbortSignal): Promise<CostEstimate> {
    this.#enter('estimateCost', [count], signal);
    if (!Number.isInteger(count) || count < 0) throw new ConfigError(`VM count must be a whole number, got ${count}`);
    await this.#checkPlacement();
    if (this.#price === null) throw new ProviderError('memory provider: the price list cannot be read (503 SERVICE_UNAVAILABLE)', { status: 503 });
    const { currency, perVmHourly, hoursPerMonth = 672 } = this.#price;
    const perVmMicro = Math.round(perVmHourly * MICRO);
    return {
      currency,
      newVms: count,
      perVmHourly: perVmMicro / MICRO,
      hourly: (perVmMicro * count) / MICRO,
      monthly: Math.round((perVmMicro * count * hoursPerMonth) / (MICRO / 100)) / 100,
      hoursPerMonth,
    };
  }

  async hourlyRates(placement: { zone: string; plan: string }, signal?: AbortSignal): Promise<HourlyRates> {
    this.#enter('hourlyRates', [{ ...placement }], signal);
    if (this.#price === null) throw new ProviderError('memory provider: the price list cannot be read (503 SERVICE_UNAVAILABLE)', { status: 503 });
    const { currency, perVmHourly, stoppedHourly = perVmHourly } = this.#price;
    return { currency, startedMicroCents: Math.round(perVmHourly * 100 * MICRO), stoppedMicroCents: Math.round(stoppedHourly * 100 * MICRO) };
  }

  // --- inside ----------------------------------------------------------------------------------------------

  #enter(method: ProviderMethod, args: unknown[], signal: AbortSignal | undefined): void {
    this.calls.push({ method, args });
    if (signal?.aborted) throw new CancelledError();
    const scripted = this.#failures.get(method)?.shift();
    if (scripted !== undefined) throw scripted;
  }

  async #checkPlacement(): Promise<Plan> {
    const { zone, plan } = this.placement;
    if (!this.#zones.includes(zone)) throw new PlacementError('provider.zone', `unknown zone "${zone}"; valid: ${[...this.#zones].sort().join(', ')}`);
    const found = this.#plans.find((known) => known.name === plan);
    if (found === undefined) {
      throw new PlacementError('provider.plan', `unknown plan "${plan}"; valid: ${this.#plans.map((known) => known.name).sort().join(', ')}`);
    }
    return { ...found };
  }

  /** The server, or undefined when the provider answers 404; any other refusal (a malformed id: 400) throws. */
  #lookup(id: string): MemoryServer | undefined {
    try {
      return this.#table.find(id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw toProviderError(error, `read server ${id}`);
    }
  }

  /** Applies a rule of rules.ts, turning its refusal into the ProviderError a client would report. */
  #rule<T>(action: string, apply: () => T): T {
    try {
      return apply();
    } catch (error) {
      throw toProviderError(error, action);
    }
  }

  #boot(server: MemoryServer, delayMs: number): void {
    this.#after(delayMs, () => {
      const ok = this.#bootFailures === 0;
      if (!ok) this.#bootFailures--;
      this.#table.booted(server, ok);
    });
  }

  /** Runs a transition's end after `ms` (at once for 0), then wakes whoever waits for a change. */
  #after(ms: number, task: () => void): void {
    const run = () => {
      task();
      this.#changed();
    };
    if (ms <= 0) run();
    else if (this.clock) this.clock.schedule(ms, run);
    else setTimeout(run, ms).unref();
  }

  #changed(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves at the next state change of any server; CancelledError when `signal` aborts first. */
  #nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.#waiters.delete(wake);
        signal?.removeEventListener('abort', abort);
      };
      const wake = () => {
        done();
        resolve();
      };
      const abort = () => {
        done();
        reject(new CancelledError());
      };
      this.#waiters.add(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }
}

function toVm(server: MemoryServer, read: Read): Vm {
  return {
    id: server.uuid,
    name: server.title,
    state: server.state,
    ip: showsAddresses(read) ? server.ip : undefined,
    zone: server.zone,
    plan: server.plan,
    labels: Object.fromEntries(server.labels.map((label) => [label.key, label.value])),
  };
}

function toProviderError(error: unknown, action: string): unknown {
  if (!(error instanceof ApiError)) return error;
  return new ProviderError(`memory provider: cannot ${action} (${error.status} ${error.code}): ${error.message}`, { status: error.status, code: error.code });
}

function stuck(id: string, target: string, state: string): ProviderError {
  return new ProviderError(`memory provider: server ${id} cannot reach ${target} from state ${state}`);
}
