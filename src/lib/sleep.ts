import { CancelledError } from './errors.js';

/** Resolves after `ms`, or rejects with CancelledError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff: `initialMs` growing by `factor` per attempt up to `maxMs`. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, factor = 1.6): number {
  return Math.min(maxMs, Math.round(initialMs * factor ** attempt));
}
