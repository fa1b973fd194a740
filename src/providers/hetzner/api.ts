import type { z } from 'zod';
import { parseJsonBody, type ApiResponse, type HttpTransport } from '../http.js';
import { toAppError } from './api-error.js';
import {
  ActionListResponse,
  ImageListResponse,
  LocationListResponse,
  PricingResponse,
  ServerListResponse,
  ServerResponse,
  ServerTypeListResponse,
  SshKeyListResponse,
} from './schemas.js';

/** Parses a 2xx body with `schema`; any other status becomes the mapped AppError. */
export function parseResponse<T extends z.ZodType>(response: ApiResponse, schema: T, action: string): z.infer<T> {
  if (response.status < 200 || response.status >= 300) throw toAppError(response, action);
  return parseJsonBody(response, schema, 'Hetzner');
}

/** `k1=v1,k2=v2`: Hetzner's label selector, comma meaning AND, keys sorted as hcloud-go's labelutil does. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

type Paged = { meta?: { pagination?: { next_page?: number | null | undefined } | undefined } | undefined };

/** The endpoints kamal-dev uses, one typed call each; retry policy per call is the caller's choice. */
export class HetznerApi {
  constructor(readonly http: HttpTransport) {}

  async getServer(id: string, signal?: AbortSignal) {
    const response = await this.http.send('GET', `/servers/${encodeURIComponent(id)}`, { signal, retry: true });
    if (response.status === 404) return undefined;
    return parseResponse(response, ServerResponse, `read server ${id}`).server;
  }

  listServers(labels: Record<string, string>, signal?: AbortSignal) {
    const query = new URLSearchParams({ label_selector: labelSelector(labels) });
    return this.#all('/servers', query, ServerListResponse, (b) => b.servers, 'list servers', signal);
  }

  /** GET /actions?id=..&id=..: only the IDs the API knows come back. */
  async actions(ids: readonly number[], signal?: AbortSignal) {
    const query = new URLSearchParams(ids.map((id): [string, string] => ['id', String(id)]));
    const response = await this.http.send('GET', `/actions?${query.toString()}`, { signal, retry: true });
    return parseResponse(response, ActionListResponse, 'read actions').actions;
  }

  /** POST or DELETE whose raw answer the caller reads (404 handling). */
  send(method: 'POST' | 'DELETE', path: string, body: unknown, signal: AbortSignal | undefined, retry: boolean): Promise<ApiResponse> {
    return this.http.send(method, path, { body, signal, retry });
  }

  sshKeysByFingerprint(fingerprint: string, signal?: AbortSignal) {
    return this.#all('/ssh_keys', new URLSearchParams({ fingerprint }), SshKeyListResponse, (b) => b.ssh_keys, 'look up SSH keys', signal);
  }

  serverTypes(signal?: AbortSignal) {
    return this.#all('/server_types', new URLSearchParams(), ServerTypeListResponse, (b) => b.server_types, 'list server types', signal);
  }

  locations(signal?: AbortSignal) {
    return this.#all('/locations', new URLSearchParams(), LocationListResponse, (b) => b.locations, 'list locations', signal);
  }

  images(architecture: string | undefined, signal?: AbortSignal) {
    const query = new URLSearchParams({ type: 'system', ...(architecture ? { architecture } : {}) });
    return this.#all('/images', query, ImageListResponse, (b) => b.images, 'list images', signal);
  }

  async currency(signal?: AbortSignal): Promise<string> {
    const response = await this.http.send('GET', '/pricing', { signal, retry: true });
    return parseResponse(response, PricingResponse, 'read prices').pricing.currency;
  }

  /** Every page (50 a page, the maximum), following `meta.pagination.next_page`. */
  async #all<S extends z.ZodType<Paged>, T>(path: string, query: URLSearchParams, schema: S, pick: (body: z.infer<S>) => T[], action: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    for (let page: number | null | undefined = 1; page; ) {
      query.set('page', String(page));
      query.set('per_page', '50');
      const response = await this.http.send('GET', `${path}?${query.toString()}`, { signal, retry: true });
      const body = parseResponse(response, schema, action);
      items.push(...pick(body));
      page = body.meta?.pagination?.next_page;
    }
    return items;
  }
}
