import { ProviderError } from '../lib/errors.js';
import { sleep } from '../lib/sleep.js';
import type { Provider, Vm } from '../providers/provider.js';

interface Pending {
  target: 'started' | 'stopped';
  resolve: (vm: Vm) => void;
  reject: (error: unknown) => void;
  deadline: number;
}

/**
 * Waits for many VMs to be `started` (or `stopped`) with one list call per interval for all of them (filtered by the
 * service's labels), however many workspaces are waiting and whenever they started waiting.
 */
export class VmWaiter {
  private readonly pending = new Map<string, Pending>();
  private readonly waiting = new Map<string, Promise<Vm>>();
  /** A poll loop is running: set and cleared synchronously with its decision to go on or stop. */
  private polling = false;

  constructor(
    private readonly provider: Provider,
    private readonly labels: Record<string, string>,
    private readonly options: {
      intervalMs: number;
      timeoutMs: number;
      signal?: AbortSignal;
      /** The clock of the deadlines (default Date.now). */
      now?: () => number;
      /** Waits between two polls (default lib/sleep's real one); must reject once `signal` aborts. */
      sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    },
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Workspaces sharing a VM share its wait. */
  waitFor(id: string, target: 'started' | 'stopped' = 'started'): Promise<Vm> {
    let waiting = this.waiting.get(id);
    if (!waiting) {
      waiting = new Promise<Vm>((resolve, reject) => {
        this.pending.set(id, { target, resolve, reject, deadline: this.now() + this.options.timeoutMs });
      });
      this.waiting.set(id, waiting);
      const forget = () => this.waiting.delete(id);
      waiting.then(forget, forget);
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
        try {
          const vms = await this.provider.listVms(this.labels, this.options.signal);
          await this.settle(new Map(vms.map((vm) => [vm.id, vm])));
        } catch (error) {
          if (this.options.signal?.aborted) return this.failAll(error);
          // A failed poll is retried at the next interval; the provider already retried transient errors.
        }
        if (this.pending.size === 0) return;
        try {
          await (this.options.sleep ?? sleep)(this.options.intervalMs, this.options.signal);
        } catch (error) {
          return this.failAll(error);
        }
      }
    } finally {
      this.polling = false;
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
