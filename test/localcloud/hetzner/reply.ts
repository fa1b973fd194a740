import { randomBytes } from 'node:crypto';
import type { ErrorDialect } from '../emulator/fault-effects.js';
import type { ReplySink } from '../emulator/http-reply.js';

/**
 * Hetzner's replies: `application/json`, two-space indents, an `X-Correlation-Id` and the RateLimit headers on
 * every answer, errors as `{"error":{"code","message","details"}}`.
 */
export class RateBucket {
  #tokens: number;
  #at = Date.now();

  constructor(readonly limit = 3600) {
    this.#tokens = limit;
  }

  /** Takes one request; false when the allowance is used up. Refills one request per 3600/limit seconds. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  headers(exhausted = false): Record<string, string> {
    this.#refill();
    const remaining = exhausted ? 0 : Math.floor(this.#tokens);
    const secondsToFull = Math.ceil(((this.limit - remaining) * 3600) / this.limit);
    return {
      'RateLimit-Limit': String(this.limit),
      'RateLimit-Remaining': String(remaining),
      'RateLimit-Reset': String(Math.floor(Date.now() / 1000) + secondsToFull),
    };
  }

  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.limit, this.#tokens + ((now - this.#at) / 3_600_000) * this.limit);
    this.#at = now;
  }
}

export function sendHetzner(res: ReplySink, bucket: RateBucket, status: number, body: unknown, exhausted = false): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  for (const [name, value] of Object.entries(bucket.headers(exhausted))) res.setHeader(name, value);
  res.setHeader('X-Correlation-Id', randomBytes(8).toString('hex'));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendHetznerError(res: ReplySink, bucket: RateBucket, status: number, code: string, message: string, details: unknown = null): void {
  sendHetzner(res, bucket, status, { error: { code, message, details } }, status === 429);
}

/** The fault machinery's answers in Hetzner's words. */
export function hetznerDialect(bucket: RateBucket): ErrorDialect {
  return {
    sendError: (res, status, code, message) => sendHetznerError(res, bucket, status, code, message),
    sendAnswer: (res, answer) => {
      if (answer.retryAfter !== undefined) res.setHeader('Retry-After', String(answer.retryAfter));
      sendHetznerError(res, bucket, answer.status, answer.code, answer.message);
    },
    internalError: (res) => sendHetznerError(res, bucket, 500, 'server_error', 'internal server error'),
    tooManyRequests: (res) => sendHetznerError(res, bucket, 429, 'rate_limit_exceeded', `Limit of '${bucket.limit}' requests per hour for token 'lc...' reached.`),
  };
}

/** `meta.pagination` of one page of `total` items. */
export function paginate<T>(items: T[], url: URL): { page: T[]; meta: { pagination: Record<string, number | null> } } {
  const perPage = Math.min(50, Math.max(1, Number(url.searchParams.get('per_page') ?? 25) || 25));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    meta: {
      pagination: {
        page,
        per_page: perPage,
        previous_page: page > 1 ? page - 1 : null,
        next_page: page < last ? page + 1 : null,
        last_page: last,
        total_entries: items.length,
      },
    },
  };
}
