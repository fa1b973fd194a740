import { AppError, ProviderError } from '../lib/errors.js';
import { sleep } from '../lib/sleep.js';
import { NO_RESPONSE } from './http.js';
import { REQUEST_LABEL } from './labels.js';
import type { CreateVmRequest, Vm } from './provider.js';

/** What one create request said, as the provider reads its answer. A definite refusal is thrown instead. */
export type CreateAnswer =
  | { kind: 'created'; vm: Vm }
  /** The server may or may not exist (5xx, 429): look it up, and send the create again only when it is not there. */
  | { kind: 'unknown'; failure: AppError; waitMs?: number }
  /** The server may exist but must never be created again (accepted with an unreadable body, a name taken). */
  | { kind: 'look-up-only'; failure: AppError }
  /** Known not to be created (too many creates in flight): wait and send it again. */
  | { kind: 'not-created'; failure: AppError };

export interface CreateDriver {
  /** Named in the final hint: "the <api> API kept failing". */
  api: string;
  post(signal: AbortSignal | undefined): Promise<CreateAnswer>;
  /** The server carrying this request label, if any. */
  findByRequest(requestId: string, signal: AbortSignal | undefined): Promise<Vm | undefined>;
}

export interface SafeCreateOptions {
  attempts: number;
  lookupDelayMs: number;
  backoff: (attempt: number) => number;
  signal: AbortSignal | undefined;
}

/**
 * A create without ever making a duplicate. The APIs have no idempotency key (docs/state.md#provider-labels), so
 * every create carries a unique `kamal-dev-request` label: after an answer that does not say whether the server was
 * made (no answer at all included), the servers with that label are looked up first; one found is adopted, and the
 * create is sent again only when none is found and the answer allows it.
 */
export async function createSafely(driver: CreateDriver, request: CreateVmRequest, options: SafeCreateOptions): Promise<Vm> {
  const requestId = request.labels[REQUEST_LABEL];
  if (requestId === undefined || requestId === '') throw new Error(`createVm needs a ${REQUEST_LABEL} label to stay duplicate-safe`);
  const { signal } = options;

  for (let attempt = 1; ; attempt++) {
    let answer: CreateAnswer;
    try {
      answer = await driver.post(signal);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.code !== NO_RESPONSE) throw error;
      answer = { kind: 'unknown', failure: error };
    }
    if (answer.kind === 'created') return answer.vm;
    const { failure } = answer;
    if (answer.kind === 'not-created') {
      if (attempt >= options.attempts) throw failure;
      await sleep(options.backoff(attempt), signal);
      continue;
    }

    await sleep(Math.max(options.lookupDelayMs, answer.kind === 'unknown' ? (answer.waitMs ?? 0) : 0), signal);
    const existing = await driver.findByRequest(requestId, signal).catch((error: unknown) => {
      if (!(error instanceof ProviderError)) throw error;
      throw new ProviderError(`${failure.message}; looking for the server afterwards failed too: ${error.message}`, {
        status: error.status,
        code: error.code,
        cause: error,
        hint: `a server labelled ${REQUEST_LABEL}=${requestId} may exist: check with \`kamal-dev list --rebuild\` before deploying again`,
      });
    });
    if (existing !== undefined) return existing;
    if (answer.kind === 'look-up-only') throw failure;
    if (attempt >= options.attempts) {
      throw new ProviderError(`${failure.message} (after ${attempt} attempts; no server carries ${REQUEST_LABEL}=${requestId})`, {
        ...(failure instanceof ProviderError ? { status: failure.status, code: failure.code } : {}),
        cause: failure,
        hint: `the ${driver.api} API kept failing; run the command again later (nothing was created for this workspace)`,
      });
    }
    await sleep(options.backoff(attempt), signal);
  }
}
