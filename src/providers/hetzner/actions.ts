import { CancelledError, ProviderError } from '../../lib/errors.js';
import { sleep } from '../../lib/sleep.js';
import type { HetznerApi } from './api.js';
import type { Action } from './schemas.js';

/** hcloud-go's chunk size: at most 25 IDs per GET /actions. */
const CHUNK = 25;

interface Waiting {
  resolve: () => void;
  reject: (error: Error) => void;
  deadline: number;
}

/**
 * Waits for actions in batches: one poll loop for every action waited on, one `GET /actions?id=..&id=..` per
 * 25 actions per interval, never one request per server per interval.
 */
export class ActionPoller {
  readonly #waiting = new Map<number, Waiting>();
  #polling = false;

  constructor(
    private readonly api: HetznerApi,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves when the action succeeds; rejects with its error, or when it is still running at the deadline. */
  wait(action: Action, signal?: AbortSignal): Promise<void> {
    if (action.status === 'success') return Promise.resolve();
    if (action.status === 'error') return Promise.reject(failed(action));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<void>((resolve, reject) => {
      signal?.addEventListener('abort', () => this.#settle(action.id, new CancelledError()), { once: true });
      this.#waiting.set(action.id, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      if (!this.#polling) {
        this.#polling = true;
        void this.#run();
      }
    });
  }

  async #run(): Promise<void> {
    while (this.#waiting.size > 0) {
      await sleep(this.intervalMs);
      const ids = [...this.#waiting.keys()];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        let actions: Action[];
        try {
          actions = await this.api.actions(chunk);
        } catch (error) {
          for (const id of chunk) this.#settle(id, error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        for (const id of chunk) {
          const waiting = this.#waiting.get(id);
          if (waiting === undefined) continue;
          const action = actions.find((a) => a.id === id);
          if (action === undefined) this.#settle(id, new ProviderError(`Hetzner: action ${id} not found`));
          else if (action.status === 'success') this.#settle(id);
          else if (action.status === 'error') this.#settle(id, failed(action));
          else if (Date.now() > waiting.deadline) this.#settle(id, new ProviderError(`Hetzner: action ${id} (${action.command ?? 'action'}) still running at the deadline`));
        }
      }
    }
    // In the same turn as the last check of #waiting, so a wait() added after it starts a new loop.
    this.#polling = false;
  }

  #settle(id: number, error?: Error): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    if (error) waiting.reject(error);
    else waiting.resolve();
  }
}

function failed(action: Action): ProviderError {
  const error = action.error;
  return new ProviderError(`Hetzner: action ${action.command ?? action.id} failed${error ? `: ${error.message} (${error.code})` : ''}`, {
    ...(error ? { code: error.code } : {}),
  });
}
