import { describe, expect, it } from 'vitest';
import { AuthError, ProviderError } from '../../src/lib/errors.js';
import { toAppError } from '../../src/providers/upcloud/api-error.js';
import type { ApiResponse } from '../../src/providers/upcloud/http.js';

const LEGACY = 'application/json; charset=UTF-8';

function answer(status: number, body: unknown, contentType = LEGACY): ApiResponse {
  return { method: 'POST', path: '/server', status, contentType, text: typeof body === 'string' ? body : JSON.stringify(body), retryAfterMs: undefined };
}
const legacy = (code: string, message: string) => ({ error: { error_code: code, error_message: message } });

describe('toAppError', () => {
  it('401 in the legacy format is an AuthError, exit 4', () => {
    const error = toAppError(answer(401, legacy('AUTHENTICATION_FAILED', 'Authentication failed using the given username and password.')), 'list servers');
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe('UpCloud rejected the credentials (401 AUTHENTICATION_FAILED): Authentication failed using the given username and password.');
    expect(error.hint).toMatch(/UPCLOUD_TOKEN/);
  });

  it('401 labelled problem+json but carrying a legacy body (as seen live) is still read', () => {
    const error = toAppError(answer(401, legacy('AUTHENTICATION_REQUIRED', 'The use of this API requires authentication.'), 'application/problem+json'), 'x');
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('401 AUTHENTICATION_REQUIRED');
  });

  it('402 INSUFFICIENT_CREDITS says to add credit, exit 1', () => {
    const error = toAppError(answer(402, legacy('INSUFFICIENT_CREDITS', 'Insufficient credits.')), 'create server web-1');
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('UpCloud: not enough credit to create server web-1 (402 INSUFFICIENT_CREDITS): Insufficient credits.');
    expect(error.hint).toMatch(/add credit/);
    expect((error as ProviderError).code).toBe('INSUFFICIENT_CREDITS');
  });

  it.each(['SERVER_CORE_LIMIT_REACHED', 'SERVER_MEMORY_LIMIT_REACHED', 'IP_ADDRESS_LIMIT_REACHED', 'STORAGE_DEVICE_LIMIT_REACHED'])(
    '%s is an account limit with what to do',
    (code) => {
      const error = toAppError(answer(409, legacy(code, 'Limit reached.')), 'create server web-1');
      expect(error.message).toBe(`UpCloud: account limit reached, cannot create server web-1 (409 ${code}): Limit reached.`);
      expect(error.hint).toMatch(/remove servers you no longer need|raise the account limits/);
    },
  );

  it('SERVER_RESOURCES_UNAVAILABLE and TRIAL_PLAN point at zone and plan', () => {
    expect(toAppError(answer(409, legacy('SERVER_RESOURCES_UNAVAILABLE', 'No capacity.')), 'create server a').hint).toMatch(/provider.zone/);
    expect(toAppError(answer(403, legacy('TRIAL_PLAN', 'Not on trial.')), 'create server a').hint).toMatch(/provider.plan/);
  });

  it('reads a problem document code from the type fragment without ERROR_', () => {
    const body = { type: 'https://developers.upcloud.com/1.3/errors#ERROR_RESOURCE_NOT_FOUND', title: 'Service not found.', status: 404 };
    const error = toAppError(answer(404, body, 'application/problem+json'), 'read service') as ProviderError;
    expect([error.code, error.status, error.message]).toEqual(['RESOURCE_NOT_FOUND', 404, 'UpCloud: cannot read service (404 RESOURCE_NOT_FOUND): Service not found.']);
  });

  it('falls back to the raw body when it is not JSON', () => {
    const error = toAppError(answer(502, '<html>Bad Gateway</html>', 'text/html'), 'list servers') as ProviderError;
    expect([error.code, error.message]).toEqual([undefined, 'UpCloud: cannot list servers (502): <html>Bad Gateway</html>']);
  });
});
