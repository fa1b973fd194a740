import { AppError, ProviderError } from '../../lib/errors.js';
import { sleep } from '../../lib/sleep.js';
import { NO_RESPONSE } from '../http.js';
import { REQUEST_LABEL } from '../labels.js';
import type { CreateVmRequest, Vm } from '../provider.js';
import { parseResponse, type HetznerApi } from './api.js';
import { parseApiError, toAppError } from './api-error.js';
import { CreateServerResponse } from './schemas.js';
import { toVm } from './server-mapping.js';

export interface SafeCreateOptions {
  attempts: number;
  lookupDelayMs: number;
  backoff: (attempt: number) => number;
  signal: AbortSignal | undefined;
}

/**
 * POST /servers without ever making a duplicate. The API has no idempotency key (docs/state.md#provider-labels),
 * so every create carries a unique `kamal-dev-request` label: after an answer that does not say whether the
 * server was made (no answer, 5xx, 429, or `uniqueness_error`, which a create of ours whose answer was lost
 * also causes), the servers with that label are looked up first; one found is adopted, and only when none is
 * found, and the outcome may have been a refusal, is the POST sent again.
 */
export async function createServerSafely(api: HetznerApi, request: CreateVmRequest, body: unknown, options: SafeCreateOptions): Promise<Vm> {
  const requestId = request.labels[REQUEST_LABEL];
  if (requestId === undefined || requestId === '') throw new Error(`createVm needs a ${REQUEST_LABEL} label to stay duplicate-safe`);
  const action = `create server ${request.name}`;

  for (let attempt = 1; ; attempt++) {
    let failure: AppError;
    let waitMs = options.lookupDelayMs;
    let accepted = false;
    let taken = false;
    try {
      const response = await api.send('POST', '/servers', body, options.signal, false);
      const code = parseApiError(response).code;
      if (api.http.isTransient(response)) {
        failure = toAppError(response, action);
        waitMs = Math.max(waitMs, response.retryAfterMs === undefined ? 0 : api.http.cappedWait(response.retryAfterMs));
      } else if (response.status === 409 && code === 'uniqueness_error') {
        failure = toAppError(response, action);
        taken = true;
      } else if (response.status < 200 || response.status >= 300) {
        throw toAppError(response, action);
      } else {
        try {
          return toVm(parseResponse(response, CreateServerResponse, action).server);
        } catch (error) {
          // Accepted but unreadable: the server exists, so find it by its label rather than fail.
          if (!(error instanceof ProviderError)) throw error;
          failure = error;
          accepted = true;
        }
      }
    } catch (error) {
      if (!(error instanceof ProviderError) || error.code !== NO_RESPONSE) throw error;
      failure = error;
    }

    await sleep(waitMs, options.signal);
    const existing = await api.listServers({ [REQUEST_LABEL]: requestId }, options.signal).catch((error: unknown) => {
      if (!(error instanceof ProviderError)) throw error;
      throw new ProviderError(`${failure.message}; looking for the server afterwards failed too: ${error.message}`, {
        status: error.status,
        code: error.code,
        cause: error,
        hint: `a server labelled ${REQUEST_LABEL}=${requestId} may exist: check with \`kamal-dev list --rebuild\` before deploying again`,
      });
    });
    if (existing[0] !== undefined) return toVm(existing[0]);
    // A create the API accepted is never sent again, and a name taken by another server is not ours to take.
    if (accepted || taken) throw failure;
    if (attempt >= options.attempts) {
      throw new ProviderError(`${failure.message} (after ${attempt} attempts; no server carries ${REQUEST_LABEL}=${requestId})`, {
        ...(failure instanceof ProviderError ? { status: failure.status, code: failure.code } : {}),
        cause: failure,
        hint: 'the Hetzner API kept failing; run the command again later (nothing was created for this workspace)',
      });
    }
    await sleep(options.backoff(attempt), options.signal);
  }
}
