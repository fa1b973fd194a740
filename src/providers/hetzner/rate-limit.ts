import { headerValue, type ApiResponse } from '../http.js';

/**
 * Hetzner's RateLimit-Limit (requests per hour), -Remaining and -Reset (Unix seconds when the allowance is
 * full again): the allowance refills continuously, one request per 3600/limit seconds, so after a 429 the wait
 * for the next request is that refill time, never longer than the reset.
 */
export interface RateLimit {
  limit: number | undefined;
  remaining: number | undefined;
  resetAt: number | undefined;
}

function numberHeader(headers: NonNullable<ApiResponse['headers']>, name: string): number | undefined {
  const raw = headerValue(headers[name]);
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

export function rateLimitOf(headers: NonNullable<ApiResponse['headers']>): RateLimit {
  const reset = numberHeader(headers, 'ratelimit-reset');
  return { limit: numberHeader(headers, 'ratelimit-limit'), remaining: numberHeader(headers, 'ratelimit-remaining'), resetAt: reset === undefined ? undefined : reset * 1000 };
}

/** The wait the API asks for: the refill of one request when the allowance is used up, else Retry-After. */
export function hetznerRetryAfter(headers: NonNullable<ApiResponse['headers']>, now: number): number | undefined {
  const { limit, remaining, resetAt } = rateLimitOf(headers);
  if (remaining === 0 && limit !== undefined && limit > 0) {
    const refill = Math.ceil(3_600_000 / limit);
    return resetAt === undefined ? refill : Math.max(0, Math.min(refill, resetAt - now));
  }
  const retryAfter = Number(headerValue(headers['retry-after']));
  return Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined;
}
