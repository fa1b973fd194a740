import type { BackendServer } from '../backend.js';
import { FaultInjector, type FaultSettings } from './faults.js';

type Options = BackendServer['options'];

/** Keeps a long-running emulator's memory bounded; far more than any test sends. */
export const LOG_LIMIT = 10_000;

/** One API request as the emulator saw it: path as sent (with /1.3 and the query), body parsed when JSON. */
export interface RequestRecord {
  method: string;
  path: string;
  /** The status sent, or how the request ended without one. */
  status: number | 'dropped' | 'hung';
  /** ms since the epoch when the request arrived. */
  at: number;
  body: unknown;
}

/** Everything the control endpoints can change at runtime, plus the request counters. */
export class ControlState {
  readonly faults: FaultInjector;
  readonly requests = new Map<string, number>();
  /** The last LOG_LIMIT API requests, oldest first. */
  readonly log: RequestRecord[] = [];
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

  record(entry: RequestRecord): void {
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.shift();
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
