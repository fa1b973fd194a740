import { ProviderError } from '../../lib/errors.js';
import type { CreateAnswer, CreateDriver } from '../safe-create.js';
import { REQUEST_LABEL } from '../labels.js';
import { parseResponse, type HetznerApi } from './api.js';
import { parseApiError, toAppError } from './api-error.js';
import { CreateServerResponse } from './schemas.js';
import { toVm } from './server-mapping.js';

/**
 * POST /servers read for the duplicate-safe create (src/providers/safe-create.ts). A `uniqueness_error` is also
 * what a create of ours whose answer was lost causes, so it is looked up, but a name another server holds is not
 * ours to take: never sent again.
 */
export function hetznerCreateDriver(api: HetznerApi, name: string, body: unknown): CreateDriver {
  const action = `create server ${name}`;
  return {
    api: 'Hetzner',
    async post(signal): Promise<CreateAnswer> {
      const response = await api.send('POST', '/servers', body, signal, false);
      if (api.http.isTransient(response)) {
        const waitMs = response.retryAfterMs === undefined ? 0 : api.http.cappedWait(response.retryAfterMs);
        return { kind: 'unknown', failure: toAppError(response, action), waitMs };
      }
      if (response.status === 409 && parseApiError(response).code === 'uniqueness_error') return { kind: 'look-up-only', failure: toAppError(response, action) };
      if (response.status < 200 || response.status >= 300) throw toAppError(response, action);
      try {
        return { kind: 'created', vm: toVm(parseResponse(response, CreateServerResponse, action).server) };
      } catch (error) {
        // Accepted but unreadable: the server exists, so find it by its label rather than fail.
        if (!(error instanceof ProviderError)) throw error;
        return { kind: 'look-up-only', failure: error };
      }
    },
    async findByRequest(requestId, signal) {
      const [found] = await api.listServers({ [REQUEST_LABEL]: requestId }, signal);
      return found === undefined ? undefined : toVm(found);
    },
  };
}
