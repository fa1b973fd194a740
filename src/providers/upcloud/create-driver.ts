import { ProviderError } from '../../lib/errors.js';
import type { CreateAnswer, CreateDriver } from '../safe-create.js';
import { REQUEST_LABEL } from '../labels.js';
import { parseResponse, type UpcloudApi } from './api.js';
import { toAppError } from './api-error.js';
import { isTransientStatus } from './http.js';
import { ServerResponse } from './schemas.js';
import { toVm } from './server-mapping.js';

/** POST /server read for the duplicate-safe create (src/providers/safe-create.ts). */
export function upcloudCreateDriver(api: UpcloudApi, name: string, body: unknown): CreateDriver {
  const action = `create server ${name}`;
  return {
    api: 'UpCloud',
    async post(signal): Promise<CreateAnswer> {
      const response = await api.http.send('POST', '/server', { body, signal, retry: false });
      if (isTransientStatus(response.status)) return { kind: 'unknown', failure: toAppError(response, action), waitMs: response.retryAfterMs ?? 0 };
      if (response.status < 200 || response.status >= 300) {
        const failure = toAppError(response, action);
        if (failure instanceof ProviderError && failure.code === 'SERVER_CREATING_LIMIT_REACHED') return { kind: 'not-created', failure };
        throw failure;
      }
      try {
        return { kind: 'created', vm: toVm(parseResponse(response, ServerResponse, action).server) };
      } catch (error) {
        // Accepted but unreadable: the server exists, so find it by its label rather than fail.
        if (!(error instanceof ProviderError)) throw error;
        return { kind: 'look-up-only', failure: error };
      }
    },
    async findByRequest(requestId, signal) {
      const [found] = await api.listServers({ [REQUEST_LABEL]: requestId }, signal);
      if (found === undefined) return undefined;
      return toVm((await api.getServer(found.uuid, signal)) ?? found);
    },
  };
}
