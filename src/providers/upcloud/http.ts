import { request, type Dispatcher } from 'undici';
import { CancelledError, ProviderError } from '../../lib/errors.js';
import type { Secret } from '../../lib/secret.js';
import { backoffDelay, sleep } from '../../lib/sleep.js';
import type { RequestEvent } from '../provider.js';


export interface HttpOptions {
  /** `https://api.upcloud.com` or `.../1.3`, with or without a trailing slash. */
  apiUrl: string;
  authorization: Secret;
  /** Per attempt, headers and body included. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a transient failure. Default 6. */
  retries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Upper bound on a honoured Retry-After. Default 60 s. */
  maxRetryAfterMs?: number;
  onRequest?: (event: RequestEvent) => void;
  dispatcher?: Dispatcher;
}

export interface ApiResponse {
  method: string;
  path: string;
  status: number;
  contentType: string;
  text: string;
  retryAfterMs: number | undefined;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Code of the ProviderError thrown when no response arrived: the request may or may not have been applied. */
export const NO_RESPONSE = 'NO_RESPONSE';

/** `https://host` or `https://host/1.3/` -> `https://host/1.3`. */
export function normaliseApiUrl(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/1.3') ? trimmed : `${trimmed}/1.3`;
}

export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Transport for the UpCloud API: auth, per-attempt timeout, abort, and retries of transient failures. */
export class UpcloudHttp {
  readonly baseUrl: string;
  readonly #options: HttpOptions;

  constructor(options: HttpOptions) {
    this.baseUrl = normaliseApiUrl(options.apiUrl);
    this.#options = options;
  }

  /** One attempt. Throws CancelledError when `signal` aborts, ProviderError(NO_RESPONSE) when no answer came. */
  async once(method: Method, path: string, body: unknown, signal: AbortSignal | undefined): Promise<ApiResponse> {
    if (signal?.aborted) throw new CancelledError();
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const started = performance.now();
    const report = (status: number | undefined) =>
      this.#options.onRequest?.({ method, path, status, ms: Math.round(performance.now() - started) });
    try {
      const response = await request(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'user-agent': 'kamal-dev',
          authorization: this.#options.authorization.reveal(),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(this.#options.dispatcher ? { dispatcher: this.#options.dispatcher } : {}),
      });
      const text = await response.body.text();
      report(response.statusCode);
      const contentType = response.headers['content-type'];
      return {
        method,
        path,
        status: response.statusCode,
        contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? '',
        text,
        retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()),
      };
    } catch (error) {
      report(undefined);
      if (signal?.aborted) throw new CancelledError();
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : describeNetworkError(error);
      throw new ProviderError(`UpCloud API ${method} ${path}: ${reason}`, { code: NO_RESPONSE, cause: error });
    }
  }

  /** Like `once`, retrying 5xx, 429 (honouring Retry-After) and network errors when `retry` is set. */
  async send(method: Method, path: string, options: { body?: unknown; signal?: AbortSignal; retry: boolean }): Promise<ApiResponse> {
    const retries = options.retry ? (this.#options.retries ?? 6) : 0;
    for (let attempt = 0; ; attempt++) {
      let wait: number;
      try {
        const response = await this.once(method, path, options.body, options.signal);
        if (!isTransientStatus(response.status) || attempt >= retries) return response;
        wait = response.retryAfterMs !== undefined
          ? Math.min(response.retryAfterMs, this.#options.maxRetryAfterMs ?? 60_000)
          : this.backoff(attempt);
      } catch (error) {
        if (!(error instanceof ProviderError) || error.code !== NO_RESPONSE || attempt >= retries) throw error;
        wait = this.backoff(attempt);
      }
      await sleep(wait, options.signal);
    }
  }

  backoff(attempt: number): number {
    return backoffDelay(attempt, this.#options.retryBaseMs ?? 500, this.#options.retryMaxMs ?? 15_000);
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${error.message})` : error.message;
  }
  return String(error);
}
