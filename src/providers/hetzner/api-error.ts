import { type AppError, AuthError, ProviderError } from '../../lib/errors.js';
import { jsonOrUndefined, unreadableError, type ApiErrorInfo, type ApiResponse } from '../http.js';
import { rateLimitOf } from './rate-limit.js';
import { ErrorBody } from './schemas.js';

/** `{"error":{"code","message","details"}}`, or the status and a cut of the text for anything else. */
export function parseApiError(response: ApiResponse): ApiErrorInfo {
  const json = jsonOrUndefined(response.text);
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success) return { status: response.status, code: parsed.data.error.code, message: parsed.data.error.message };
  return unreadableError(response);
}

/** Worth sending again (safe calls only): 5xx, 429, and 409 `conflict` ("changed during the request; retry"). */
export function isHetznerTransient(response: ApiResponse): boolean {
  if (response.status === 429 || response.status >= 500) return true;
  return response.status === 409 && parseApiError(response).code === 'conflict';
}

const HINTS: Record<string, string> = {
  uniqueness_error: 'a resource of that name already exists in the Hetzner project: remove it (or rename it) in the Hetzner Console, or run `kamal-dev list --rebuild` if it is one of yours',
  resource_limit_exceeded: 'the Hetzner project has reached a limit (servers, cores or IPs): remove servers you no longer need (kamal-dev list, kamal-dev remove) or ask Hetzner to raise the limit (Console, Limits)',
  placement_error: 'Hetzner could not place the server in this location right now: try again later, or choose another provider.location in config/dev.yml',
  resource_unavailable: 'the server type cannot be ordered in this location right now: choose another provider.server_type or provider.location in config/dev.yml',
  unsupported_location_for_server_type: 'choose a provider.server_type offered in provider.location (kamal-dev deploy --dry-run checks both)',
  token_readonly: 'the HCLOUD_TOKEN is read-only: create a Read & Write API token for the project',
};

/** Maps a non-2xx answer to the project's errors, with a hint saying what to do. */
export function toAppError(response: ApiResponse, action: string): AppError {
  const info = parseApiError(response);
  const label = `${info.status}${info.code ? ` ${info.code}` : ''}`;
  const details = { status: info.status, ...(info.code ? { code: info.code } : {}) };
  if (info.status === 401) {
    return new AuthError(`Hetzner rejected the API token (${label}): ${info.message}`, {
      hint: info.code === 'token_readonly' ? HINTS.token_readonly! : 'check HCLOUD_TOKEN: an API token of the Hetzner Cloud project (Console, Security, API tokens)',
    });
  }
  if (info.code === 'rate_limit_exceeded' || info.status === 429) {
    const { limit, resetAt } = response.headers ? rateLimitOf(response.headers) : { limit: undefined, resetAt: undefined };
    const when = resetAt === undefined ? '' : `; the full allowance is back at ${new Date(resetAt).toISOString()}`;
    return new ProviderError(`Hetzner: rate limit${limit ? ` of ${limit} requests per hour` : ''} reached, cannot ${action} (${label})${when}`, {
      ...details,
      hint: 'wait a minute and run the command again; other tools using the same project token share the limit',
    });
  }
  const unsupported = info.code === 'invalid_input' && /unsupported location for server type/i.test(info.message);
  const hint = unsupported ? HINTS.unsupported_location_for_server_type : info.code ? HINTS[info.code] : undefined;
  return new ProviderError(`Hetzner: cannot ${action} (${label}): ${info.message}`, { ...details, ...(hint ? { hint } : {}) });
}
