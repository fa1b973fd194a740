import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { CancelledError, ProviderError } from '../lib/errors.js';
import type { Secret } from '../lib/secret.js';
import { backoffDelay, sleep } from '../lib/sleep.js';
import type { RequestEvent } from './provider.js';

/** What every provider's REST client shares: auth, per-attempt timeout, abort, and retries of transient failures. */
export interface HttpOptions {
  /** The API base URL, e.g. `https://api.upcloud.com/1.3`; a path is appended to it as is. */
  baseUrl: string;
  authorization: Secret;
  /** The provider's name in error messages ("UpCloud", "Hetzner"). */
  label: string;
  /** Per attempt, headers and body included. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a transient failure. Default 6. */
  retries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Upper bound on a honoured Retry-After (or the provider's own reset header). Default 60 s. */
  maxRetryAfterMs?: number;
  /** Whether an answer is worth sending again; default: 429 and 5xx. */
  isTransient?: (response: ApiResponse) => boolean;
  onRequest?: (event: RequestEvent) => void;
  dispatcher?: Dispatcher;
}

export interface ApiResponse {
  method: string;
  path: string;
  status: number;
  contentType: string;
  text: string;
  /** How long the API asks to wait (Retry-After, or a provider's reset header read by `retryAfter`). */
  retryAfterMs: number | undefined;
  /** Response headers, names in lower case (absent in answers made up by tests). */
  headers?: Record<string, string | string[] | undefined>;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Code of the ProviderError thrown when no response arrived: the request may or may not have been applied. */
export const NO_RESPONSE = 'NO_RESPONSE';

export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = headerValue(value);
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class HttpTransport {
  readonly baseUrl: string;
  readonly #options: HttpOptions;
  readonly #retryAfter: (headers: NonNullable<ApiResponse['headers']>, now: number) => number | undefined;

  constructor(options: HttpOptions, retryAfter?: (headers: NonNullable<ApiResponse['headers']>, now: number) => number | undefined) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#options = options;
    this.#retryAfter = retryAfter ?? ((headers, now) => parseRetryAfter(headers['retry-after'], now));
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
      return {
        method,
        path,
        status: response.statusCode,
        contentType: headerValue(response.headers['content-type']) ?? '',
        text,
        retryAfterMs: this.#retryAfter(response.headers, Date.now()),
        headers: response.headers,
      };
    } catch (error) {
      report(undefined);
      if (signal?.aborted) throw new CancelledError();
      const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : describeNetworkError(error);
      throw new ProviderError(`${this.#options.label} API ${method} ${path}: ${reason}`, { code: NO_RESPONSE, cause: error });
    }
  }

  isTransient(response: ApiResponse): boolean {
    return this.#options.isTransient ? this.#options.isTransient(response) : isTransientStatus(response.status);
  }

  /** Like `once`, retrying transient answers (honouring the API's wait) and network errors when `retry` is set. */
  async send(method: Method, path: string, options: { body?: unknown; signal?: AbortSignal; retry: boolean }): Promise<ApiResponse> {
    const retries = options.retry ? (this.#options.retries ?? 6) : 0;
    for (let attempt = 0; ; attempt++) {
      let wait: number;
      try {
        const response = await this.once(method, path, options.body, options.signal);
        if (!this.isTransient(response) || attempt >= retries) return response;
        wait = response.retryAfterMs !== undefined ? this.cappedWait(response.retryAfterMs) : this.backoff(attempt);
      } catch (error) {
        if (!(error instanceof ProviderError) || error.code !== NO_RESPONSE || attempt >= retries) throw error;
        wait = this.backoff(attempt);
      }
      await sleep(wait, options.signal);
    }
  }

  cappedWait(ms: number): number {
    return Math.min(ms, this.#options.maxRetryAfterMs ?? 60_000);
  }

  backoff(attempt: number): number {
    return backoffDelay(attempt, this.#options.retryBaseMs ?? 500, this.#options.retryMaxMs ?? 15_000);
  }
}

/** A 2xx body checked against `schema`; a non-JSON or ill-shaped answer is a ProviderError naming the request. */
export function parseJsonBody<T extends z.ZodType>(response: ApiResponse, schema: T, label: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch {
    throw new ProviderError(`${label}: unexpected non-JSON answer to ${response.method} ${response.path} (HTTP ${response.status})`, { status: response.status });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid shape';
    throw new ProviderError(`${label}: unexpected answer to ${response.method} ${response.path}: ${where}`, { status: response.status });
  }
  return parsed.data;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${error.message})` : error.message;
  }
  return String(error);
}

/** What a provider's error answer says, whatever its format. */
export interface ApiErrorInfo {
  status: number;
  /** The provider's error code; undefined when the body is not in one of its error formats. */
  code: string | undefined;
  message: string;
}

/** The body as JSON, or undefined when it is not JSON (an error page, a proxy's text). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An answer in none of the provider's error formats: its status and the start of its text. */
export function unreadableError(response: ApiResponse): ApiErrorInfo {
  const snippet = response.text.trim().slice(0, 200);
  return { status: response.status, code: undefined, message: snippet === '' ? `HTTP ${response.status}` : snippet };
}

/** The waits and attempts of a provider client (each provider's defaults as documented on its options). */
export interface ClientTimings {
  /** Between state or action polls. Default 5 s. */
  pollIntervalMs?: number;
  /** Deadline of a stop, start or destroy. Default 10 min. */
  actionTimeoutMs?: number;
  /** POST attempts of one create. Default 5. */
  createAttempts?: number;
  /** Pause before looking up a create whose outcome is unknown. Default 5 s. */
  createLookupDelayMs?: number;
}
