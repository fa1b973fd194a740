import { AppError, ProviderError } from '../../lib/errors.js';
import { sleep } from '../../lib/sleep.js';
import type { CreateVmRequest, Vm } from '../provider.js';
import type { UpcloudPlan } from './catalog.js';
import type { UpcloudConfig } from './config.js';
import { parseResponse } from './api.js';
import type { UpcloudApi } from './api.js';
import { toAppError } from './api-error.js';
import { isTransientStatus, NO_RESPONSE } from './http.js';
import { ServerResponse } from './schemas.js';
import { REQUEST_LABEL } from '../labels.js';
import { createServerBody, labelProblem, toVm } from './server-mapping.js';

export interface SafeCreateOptions {
  attempts: number;
  lookupDelayMs: number;
  backoff: (attempt: number) => number;
  signal: AbortSignal | undefined;
}

/**
 * POST /server without ever making a duplicate: the API has no idempotency key, so every create carries a unique
 * `kamal-dev-request` label. After an answer that does not say whether the server was made (no response,
 * timeout, 5xx, 429), the servers carrying that label are looked up: one found is adopted, and only when none is
 * found is the POST sent again.
 */
export async function createVmSafely(api: UpcloudApi, request: CreateVmRequest, config: UpcloudConfig, plan: UpcloudPlan, options: SafeCreateOptions): Promise<Vm> {
  const requestId = request.labels[REQUEST_LABEL];
  if (requestId === undefined || requestId === '') {
    throw new Error(`createVm needs a ${REQUEST_LABEL} label to stay duplicate-safe`);
  }
  const problem = labelProblem(request.labels);
  if (problem !== undefined) throw new ProviderError(`cannot create ${request.name}: ${problem}`);
  const body = createServerBody(request, config, plan);
  const action = `create server ${request.name}`;

  for (let attempt = 1; ; attempt++) {
    let failure: AppError;
    let waitMs = options.lookupDelayMs;
    let accepted = false;
    try {
      const response = await api.http.send('POST', '/server', { body, signal: options.signal, retry: false });
      if (isTransientStatus(response.status)) {
        failure = toAppError(response, action);
        waitMs = Math.max(waitMs, response.retryAfterMs ?? 0);
      } else if (response.status < 200 || response.status >= 300) {
        throw toAppError(response, action);
      } else {
        try {
          return toVm(parseResponse(response, ServerResponse, action).server);
        } catch (error) {
          // Accepted but unreadable: the server exists, so find it by its label rather than fail.
          if (!(error instanceof ProviderError)) throw error;
          failure = error;
          accepted = true;
        }
      }
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.code === 'SERVER_CREATING_LIMIT_REACHED' && attempt < options.attempts) {
        // Known not created: too many creates in flight on the account; wait and send it again.
        await sleep(options.backoff(attempt), options.signal);
        continue;
      }
      if (error.code !== NO_RESPONSE) throw error;
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
    const adopted = existing[0];
    if (adopted !== undefined) {
      const full = await api.getServer(adopted.uuid, options.signal);
      return toVm(full ?? adopted);
    }
    // A create the API accepted is never sent again, even when the look-up cannot see its server yet.
    if (accepted) throw failure;
    if (attempt >= options.attempts) {
      throw new ProviderError(`${failure.message} (after ${attempt} attempts; no server carries ${REQUEST_LABEL}=${requestId})`, {
        ...(failure instanceof ProviderError ? { status: failure.status, code: failure.code } : {}),
        cause: failure,
        hint: 'the UpCloud API kept failing; run the command again later (nothing was created for this workspace)',
      });
    }
  }
}
