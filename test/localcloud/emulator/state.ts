import type { BackendServer } from '../backend.js';
import { FaultInjector, type FaultSettings } from './faults.js';

type Options = BackendServer['options'];

/** Everything the control endpoints can change at runtime, plus the request counters. */
export class ControlState {
  readonly faults: FaultInjector;
  readonly requests = new Map<string, number>();
  insufficientCredits = false;
  /** Account core quota: a create that would exceed it gets 409 SERVER_CORE_LIMIT_REACHED. */
  maxCores: number | null = null;
  /** Servers that may be in `maintenance` after create at once: beyond it 409 SERVER_CREATING_LIMIT_REACHED. */
  maxCreating: number | null = null;
  private readonly queue: { count: number; options: Options }[] = [];

  constructor(
    faults: FaultSettings,
    readonly defaultOptions: Options,
  ) {
    this.faults = new FaultInjector(faults);
  }

  count(pattern: string): void {
    this.requests.set(pattern, (this.requests.get(pattern) ?? 0) + 1);
  }

  queueOptions(count: number, options: Options): void {
    this.queue.push({ count, options });
  }

  /** Options for the next created server: the oldest queued batch, else the default. */
  takeOptions(): Options {
    const head = this.queue[0];
    if (!head) return { ...this.defaultOptions };
    head.count -= 1;
    if (head.count <= 0) this.queue.shift();
    return { ...head.options };
  }

  pendingOptions(): number {
    return this.queue.reduce((sum, q) => sum + q.count, 0);
  }
}
