import type { z } from 'zod';
import { parseJsonBody } from '../http.js';
import { toAppError } from './api-error.js';
import type { ApiResponse, Method, UpcloudHttp } from './http.js';
import {
  PlanListResponse,
  PriceListResponse,
  ServerListResponse,
  ServerResponse,
  ZoneListResponse,
} from './schemas.js';

/** Parses a 2xx body with `schema`; any other status becomes the mapped AppError. */
export function parseResponse<T extends z.ZodType>(response: ApiResponse, schema: T, action: string): z.infer<T> {
  if (response.status < 200 || response.status >= 300) throw toAppError(response, action);
  return parseJsonBody(response, schema, 'UpCloud');
}

/** `?label=k=v&label=...`: UpCloud ANDs repeated label filters. */
export function labelQuery(labels: Record<string, string>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(labels)) query.append('label', `${key}=${value}`);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** The endpoints kamal-dev uses, one typed call each; retry policy per call is the caller's choice. */
export class UpcloudApi {
  constructor(readonly http: UpcloudHttp) {}

  async getServer(uuid: string, signal?: AbortSignal) {
    const response = await this.http.send('GET', `/server/${encodeURIComponent(uuid)}`, { signal, retry: true });
    if (response.status === 404) return undefined;
    return parseResponse(response, ServerResponse, `read server ${uuid}`).server;
  }

  async listServers(labels: Record<string, string>, signal?: AbortSignal) {
    const response = await this.http.send('GET', `/server${labelQuery(labels)}`, { signal, retry: true });
    return parseResponse(response, ServerListResponse, 'list servers').servers.server;
  }

  /** Stop, start or delete: retried on transient failures; the raw answer is returned for 404/409 handling. */
  async action(method: Method, path: string, body: unknown, signal?: AbortSignal): Promise<ApiResponse> {
    return this.http.send(method, path, { body, signal, retry: true });
  }

  async plans(signal?: AbortSignal) {
    const response = await this.http.send('GET', '/plan', { signal, retry: true });
    return parseResponse(response, PlanListResponse, 'list plans').plans.plan;
  }

  async prices(signal?: AbortSignal) {
    const response = await this.http.send('GET', '/price', { signal, retry: true });
    return parseResponse(response, PriceListResponse, 'read prices').prices;
  }

  async zones(signal?: AbortSignal) {
    const response = await this.http.send('GET', '/zone', { signal, retry: true });
    return parseResponse(response, ZoneListResponse, 'list zones').zones.zone;
  }
}
