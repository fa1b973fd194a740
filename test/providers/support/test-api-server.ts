import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordedBody } from '../../fixtures-replay/recordings.js';
import { type FakeServer, fullObject, summary } from './server-objects.js';

/**
 * A small UpCloud API 1.3 on 127.0.0.1 answering like the recordings, with injected faults. It stands in for
 * the project's emulator (test/localcloud/emulator/) until the tests are pointed at it through startServer().
 */

/** `*-after` faults apply the request, then fail: the client cannot know the outcome. `pass` answers normally. */
export type FaultKind = 'pass' | '500-before' | '500-after' | 'drop-before' | 'drop-after' | 'mangle-after' | '429' | 'hang';
export type Scripted = FaultKind | { status: number; code: string; message: string; problem?: boolean; retryAfter?: number };

export interface LoggedRequest {
  method: string;
  path: string;
  status: number | 'dropped' | 'hung';
  at: number;
  body: unknown;
}

export interface TestApiOptions {
  username: string;
  password: string;
  faultRate?: number;
  seed?: number;
  bootDelayMs?: number;
  stopDelayMs?: number;
}

const RANDOM_FAULTS: FaultKind[] = ['500-before', '500-after', 'drop-before', 'drop-after', '429'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LEGACY = 'application/json; charset=UTF-8';

interface Answer {
  status: number;
  body?: unknown;
  contentType?: string;
  retryAfter?: number;
}

const error = (status: number, code: string, message: string): Answer => ({ status, body: { error: { error_code: code, error_message: message } } });

export class TestApiServer {
  readonly servers = new Map<string, FakeServer>();
  readonly log: LoggedRequest[] = [];
  /** Answers or faults used, in order, before any random fault. */
  readonly script: Scripted[] = [];
  /** Like `script`, for the next requests of one method only; consulted first. */
  readonly methodScript = new Map<string, Scripted[]>();
  faultRate: number;
  #random: () => number;
  #http: Server | undefined;
  #ipCounter = 0;
  readonly #plans = JSON.parse(recordedBody('/plan')) as { plans: { plan: Array<{ name: string; core_number: number; memory_amount: number; storage_tier: string }> } };
  readonly #zones = JSON.parse(recordedBody('/zone')) as { zones: { zone: Array<{ id: string }> } };

  constructor(readonly options: TestApiOptions) {
    this.faultRate = options.faultRate ?? 0;
    this.#random = mulberry32(options.seed ?? 1);
  }

  get url(): string {
    const address = this.#http?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.#http = createServer((request, response) => void this.#handle(request, response));
    await new Promise<void>((resolve) => this.#http!.listen(0, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    this.#http?.closeAllConnections();
    await new Promise<void>((resolve) => this.#http?.close(() => resolve()) ?? resolve());
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').replace(/^\/1\.3/, '');
    const entry: LoggedRequest = { method, path, status: 0, at: Date.now(), body };
    this.log.push(entry);

    const expected = `Basic ${Buffer.from(`${this.options.username}:${this.options.password}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      return this.#send(response, entry, error(401, 'AUTHENTICATION_FAILED', 'Authentication failed using the given username and password.'));
    }
    const fault = this.methodScript.get(method)?.shift() ?? this.script.shift() ?? (this.#random() < this.faultRate ? RANDOM_FAULTS[Math.floor(this.#random() * RANDOM_FAULTS.length)] : undefined);
    if (typeof fault === 'object') {
      const answer = error(fault.status, fault.code, fault.message);
      if (fault.problem) {
        answer.body = { type: `https://developers.upcloud.com/1.3/errors#ERROR_${fault.code}`, title: fault.message, status: fault.status };
        answer.contentType = 'application/problem+json';
      }
      return this.#send(response, entry, { ...answer, ...(fault.retryAfter !== undefined ? { retryAfter: fault.retryAfter } : {}) });
    }
    switch (fault) {
      case 'hang':
        entry.status = 'hung';
        return;
      case 'drop-before':
        entry.status = 'dropped';
        return void request.socket.destroy();
      case '500-before':
        return this.#send(response, entry, { status: 500, body: '<html><body>Internal Server Error</body></html>', contentType: 'text/html' });
      case '429':
        return this.#send(response, entry, { ...error(429, 'TOO_MANY_REQUESTS', 'Slow down.'), retryAfter: 0 });
      default:
        break;
    }
    const answer = this.#route(method, path, body);
    if (fault === 'drop-after') {
      entry.status = 'dropped';
      return void request.socket.destroy();
    }
    if (fault === 'mangle-after') return this.#send(response, entry, { status: answer.status, body: { server: {} } });
    if (fault === '500-after') return this.#send(response, entry, { status: 503, body: 'Service Unavailable', contentType: 'text/plain' });
    this.#send(response, entry, answer);
  }

  #send(response: ServerResponse, entry: LoggedRequest, answer: Answer): void {
    entry.status = answer.status;
    const headers: Record<string, string> = { Server: 'Apache' };
    if (answer.retryAfter !== undefined) headers['Retry-After'] = String(answer.retryAfter);
    if (answer.status === 204) {
      response.writeHead(204, headers).end();
      return;
    }
    headers['Content-Type'] = answer.contentType ?? LEGACY;
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, 3);
    response.writeHead(answer.status, headers).end(text);
  }

  #route(method: string, path: string, body: unknown): Answer {
    const url = new URL(path, 'http://x');
    const segments = url.pathname.split('/').filter(Boolean);
    if (method === 'GET' && segments.length === 1 && ['plan', 'price', 'zone'].includes(segments[0]!)) {
      return { status: 200, body: JSON.parse(recordedBody(`/${segments[0]}`)) };
    }
    if (segments[0] !== 'server') return error(404, 'NOT_FOUND', 'Not found.');
    if (segments.length === 1 && method === 'GET') return this.#list(url.searchParams.getAll('label'));
    if (segments.length === 1 && method === 'POST') return this.#create(body);
    const uuid = segments[1]!;
    if (!UUID.test(uuid)) return error(400, 'SERVER_INVALID', 'The server UUID is invalid.');
    const server = this.servers.get(uuid);
    if (server === undefined) return error(404, 'SERVER_NOT_FOUND', `The server ${uuid} does not exist.`);
    this.#settle(server);
    const action = `${method} ${segments[2] ?? ''}`;
    const illegal = () => error(409, 'SERVER_STATE_ILLEGAL', `The operation is not allowed while the server ${uuid} is in state '${server.state}'.`);
    switch (action) {
      case 'GET ':
        return { status: 200, body: { server: fullObject(server, { created: false }) } };
      case 'POST stop':
        if (server.state !== 'started') return illegal();
        server.pending ??= { state: 'stopped', at: Date.now() + (this.options.stopDelayMs ?? 20) };
        return { status: 200, body: { server: fullObject(server, { created: false }) } };
      case 'POST start':
        if (server.state !== 'stopped') return illegal();
        server.state = 'started';
        return { status: 200, body: { server: fullObject(server, { created: false }) } };
      case 'DELETE ':
        if (server.state !== 'stopped') return illegal();
        this.servers.delete(uuid);
        return { status: 204 };
      default:
        return error(405, 'METHOD_NOT_ALLOWED', 'Method not allowed.');
    }
  }

  #settle(server: FakeServer): void {
    if (server.pending && Date.now() >= server.pending.at) {
      server.state = server.pending.state;
      server.pending = undefined;
    }
  }

  #list(filters: string[]): Answer {
    const matches = [...this.servers.values()].filter((server) =>
      filters.every((filter) => {
        const [key, ...rest] = filter.split('=');
        const value = rest.join('=');
        return server.labels.some((label) => label.key === key && (rest.length === 0 || label.value === value));
      }),
    );
    matches.forEach((server) => this.#settle(server));
    return { status: 200, body: { servers: { server: matches.map(summary) } } };
  }

  #create(body: unknown): Answer {
    const request = (body as { server?: Record<string, any> } | undefined)?.server;
    if (request === undefined) return error(400, 'SERVER_MISSING', 'The server is missing.');
    if (!this.#zones.zones.zone.some((zone) => zone.id === request.zone)) return error(400, 'ZONE_INVALID', 'The zone is invalid.');
    const plan = this.#plans.plans.plan.find((known) => known.name === request.plan);
    if (plan === undefined) return error(400, 'PLAN_INVALID', 'The plan is invalid.');
    if (request.metadata !== 'yes') return error(400, 'METADATA_DISABLED_ON_CLOUD-INIT', 'Metadata must be enabled for cloud-init templates.');
    const device = request.storage_devices.storage_device[0];
    this.#ipCounter += 1;
    const server: FakeServer = {
      uuid: `00${randomUUID().slice(2)}`,
      title: request.title,
      hostname: request.hostname,
      zone: request.zone,
      plan: plan.name,
      coreNumber: plan.core_number,
      memoryMb: plan.memory_amount,
      state: 'maintenance',
      pending: { state: 'started', at: Date.now() + (this.options.bootDelayMs ?? 50) },
      labels: request.labels?.label ?? [],
      created: Math.floor(Date.now() / 1000),
      ip: `198.18.${Math.floor(this.#ipCounter / 250)}.${(this.#ipCounter % 250) + 2}`,
      storage: { uuid: `01${randomUUID().slice(2)}`, size: device.size, tier: device.tier ?? 'maxiops', title: device.title },
    };
    this.servers.set(server.uuid, server);
    return { status: 202, body: { server: fullObject(server, { created: true }) } };
  }
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
