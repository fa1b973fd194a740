import { ProviderError } from '../lib/errors.js';
import { sleep } from '../lib/sleep.js';
import type { Provider, Vm } from '../providers/provider.js';

interface Pending {
  target: 'started' | 'stopped';
  resolve: (vm: Vm) => void;
  reject: (error: unknown) => void;
  deadline: number;
  /** When this VM is next looked at, and the gap before the look after that. */
  nextLook: number;
  gap: number;
}

export interface VmWaiterOptions {
  intervalMs: number;
  timeoutMs: number;
  /** The first look at a VM this long after its wait starts (default 1 s, at most the interval); each gap after is as much longer, up to the interval. */
  firstLookMs?: number;
  signal?: AbortSignal;
  /** The clock of the deadlines and looks (default Date.now). */
  now?: () => number;
  /** Waits between two polls (default lib/sleep's real one); must reject once its signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Waits for many VMs to be `started` (or `stopped`) with one list call per poll for all of them (filtered by the
 * service's labels), however many workspaces are waiting and whenever they started waiting. A VM is first looked at
 * `firstLookMs` after its wait starts, then at gaps growing by as much up to the interval (1, 2, 3, 4, 5, 5 s...),
 * so a fast boot is seen soon without polling a slow one more often; one poll serves every VM due within
 * `firstLookMs` of it, which keeps VMs created together on one schedule.
 */
export class VmWaiter {
  private readonly pending = new Map<string, Pending>();
  private readonly waiting = new Map<string, Promise<Vm>>();
  /** A poll loop is running: set and cleared synchronously with its decision to go on or stop. */
  private polling = false;
  /** The loop's current sleep, woken early when a new wait is due before it ends. */
  private napping: { until: number; wake: AbortController } | undefined;

  constructor(
    private readonly provider: Provider,
    private readonly labels: Record<string, string>,
    private readonly options: VmWaiterOptions,
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private get firstLook(): number {
    return Math.min(this.options.firstLookMs ?? 1_000, this.options.intervalMs);
  }

  /** Workspaces sharing a VM share its wait. */
  waitFor(id: string, target: 'started' | 'stopped' = 'started'): Promise<Vm> {
    let waiting = this.waiting.get(id);
    if (!waiting) {
      const now = this.now();
      const nextLook = now + this.firstLook;
      const gap = Math.min(this.options.intervalMs, 2 * this.firstLook);
      waiting = new Promise<Vm>((resolve, reject) => {
        this.pending.set(id, { target, resolve, reject, deadline: now + this.options.timeoutMs, nextLook, gap });
      });
      this.waiting.set(id, waiting);
      const forget = () => this.waiting.delete(id);
      waiting.then(forget, forget);
      if (this.napping && nextLook < this.napping.until) this.napping.wake.abort();
      this.startPolling();
    }
    return waiting;
  }

  /**
   * Starts the poll loop unless one runs. `polling` is cleared in the same synchronous step in which the loop
   * sees nothing pending, so a wait that starts just after (e.g. from the callback of one the loop's last
   * poll resolved) starts a new loop instead of joining one that has already decided to stop.
   */
  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    void this.run().catch((error: unknown) => this.failAll(error));
  }

  private async run(): Promise<void> {
    // One function, so that the `finally` runs in the step that returns, with no await in between.
    try {
      while (this.pending.size > 0) {
        const due = Math.min(...[...this.pending.values()].map((p) => p.nextLook));
        const wait = due - this.now();
        if (wait > 0) {
          const wake = new AbortController();
          this.napping = { until: due, wake };
          try {
            await (this.options.sleep ?? sleep)(wait, this.options.signal ? AbortSignal.any([this.options.signal, wake.signal]) : wake.signal);
          } catch (error) {
            if (!wake.signal.aborted || this.options.signal?.aborted) return this.failAll(error);
          } finally {
            this.napping = undefined;
          }
          if (!wake.signal.aborted) await this.poll();
          continue;
        }
        await this.poll();
        if (this.options.signal?.aborted) return;
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * One list call for every waiting VM. The VMs due by now (or within the first look) get their next look,
   * counted from the end of this poll, so a slow API never gets back-to-back polls.
   */
  private async poll(): Promise<void> {
    const start = this.now();
    const served = [...this.pending.values()].filter((waiter) => waiter.nextLook <= start + this.firstLook);
    try {
      const vms = await this.provider.listVms(this.labels, this.options.signal);
      await this.settle(new Map(vms.map((vm) => [vm.id, vm])));
    } catch (error) {
      if (this.options.signal?.aborted) return this.failAll(error);
      // A failed poll is retried at the next look; the provider already retried transient errors.
    }
    const end = this.now();
    for (const waiter of served) {
      waiter.nextLook = end + waiter.gap;
      waiter.gap = Math.min(this.options.intervalMs, waiter.gap + this.firstLook);
    }
  }

  private async settle(seen: Map<string, Vm>): Promise<void> {
    const now = this.now();
    for (const [id, waiter] of this.pending) {
      const vm = seen.get(id);
      if (waiter.target === 'stopped' && vm?.state === 'stopped') {
        this.pending.delete(id);
        waiter.resolve(vm);
      } else if (waiter.target === 'started' && vm?.state === 'started') {
        // The list carries no addresses: one GET for each VM, once, when it has started.
        const full = vm.ip ? vm : await this.provider.getVm(id, this.options.signal);
        if (full?.ip) {
          this.pending.delete(id);
          waiter.resolve(full);
        }
      } else if (vm?.state === 'error') {
        this.pending.delete(id);
        waiter.reject(new ProviderError(`VM ${id} is in state error at the provider`));
      } else if (now > waiter.deadline) {
        this.pending.delete(id);
        waiter.reject(new ProviderError(`VM ${id} was not ${waiter.target} after ${Math.round(this.options.timeoutMs / 1000)} s (last state: ${vm?.state ?? 'not listed'})`));
      }
    }
  }

  private failAll(error: unknown): void {
    for (const [id, waiter] of this.pending) {
      this.pending.delete(id);
      waiter.reject(error);
    }
  }
}
