import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendServer, VmBackend } from '../backend.js';
import { routeControl } from '../emulator/control-routes.js';
import { applyEffect, type Unanswered } from '../emulator/fault-effects.js';
import { DEFAULT_FAULT_KINDS, type FaultKind } from '../emulator/faults.js';
import { ApiError, sendControl } from '../emulator/http-reply.js';
import { readBody } from '../emulator/read-body.js';
import { emulatorHandle, listen, type EmulatorHandle } from '../emulator/serve.js';
import { ControlState, type RequestRecord } from '../emulator/state.js';
import { createNoneBackend } from '../none-backend.js';
import { HetznerFleet, type HetznerServer } from './fleet.js';
import { hetznerDialect, RateBucket, sendHetznerError } from './reply.js';
import { hetznerPathPattern, routeHetzner } from './routes.js';
import { SshKeyTable } from './ssh-keys.js';

export interface HetznerEmulatorOptions {
  backend?: VmBackend;
  port?: number;
  host?: string;
  /** Time from create or poweron to `running` (default 200 ms). */
  bootDelayMs?: number;
  /** Time from poweroff to `off` (default min(bootDelayMs, 1000)). */
  stopDelayMs?: number;
  faultRate?: number;
  seed?: number;
  faultKinds?: readonly FaultKind[];
  slowMs?: number;
  /** The accepted API token (64 characters, as Hetzner's; generated when absent). */
  token?: string;
  /** Requests per hour of the token's bucket (default 3600, Hetzner's default). */
  rateLimit?: number;
  defaultServerOptions?: BackendServer['options'];
  log?: (line: string) => void;
}

export interface HetznerEmulator extends EmulatorHandle<HetznerServer> {
  /** http://host:port */
  url: string;
  /** url + /v1: HCLOUD_ENDPOINT for kamal-dev and hcloud. */
  apiUrl: string;
  token: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * An emulator of the Hetzner Cloud API v1 endpoints kamal-dev uses, beside the UpCloud one and on the same
 * machinery: the fault injector and its effects, the control endpoints, the VM backends (test/localcloud/README.md).
 */
export async function startHetznerEmulator(options: HetznerEmulatorOptions = {}): Promise<HetznerEmulator> {
  const log = options.log ?? (() => {});
  const backend = options.backend ?? createNoneBackend();
  const token = options.token ?? randomBytes(32).toString('hex');
  const bootMs = options.bootDelayMs ?? 200;
  const fleet = new HetznerFleet(backend, { bootMs, stopMs: options.stopDelayMs ?? Math.min(bootMs, 1000) }, log);
  const keys = new SshKeyTable();
  const bucket = new RateBucket(options.rateLimit ?? 3600);
  const dialect = hetznerDialect(bucket);
  const control = new ControlState(
    { rate: options.faultRate ?? 0, seed: options.seed ?? 1, kinds: options.faultKinds ?? DEFAULT_FAULT_KINDS, slowMs: options.slowMs ?? 1500 },
    options.defaultServerOptions ?? { docker: false, ssh: true },
  );
  const context = { fleet, keys, control, bucket };

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<Unanswered | void> {
    const [version, ...rest] = segments;
    control.count(`${req.method} ${hetznerPathPattern(segments)}`);
    if (!bucket.take()) return dialect.tooManyRequests(res);
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !same(header.slice('Bearer '.length), token)) {
      return sendHetznerError(res, bucket, 401, 'unauthorized', 'unable to authenticate');
    }
    if (version !== 'v1') throw new ApiError(404, 'not_found', 'resource not found');
    const method = req.method ?? 'GET';
    const isCreate = method === 'POST' && rest.length === 1 && rest[0] === 'servers';
    const effect = control.faults.next(method, isCreate);
    if (effect !== 'pass') log(`fault ${JSON.stringify(effect)} on ${method} ${url.pathname}`);
    return applyEffect(effect, req, res, (sink) => routeHetzner(req, sink, url, rest, context), control.faults.current.slowMs, dialect);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<Unanswered | void> {
    const isControl = segments[0] === '_localcloud';
    try {
      if (isControl) return await routeControl(req, res, segments.slice(1).join('/'), control, fleet);
      return await handleApi(req, res, url, segments);
    } catch (e) {
      if (res.headersSent || res.destroyed) return;
      if (e instanceof ApiError) {
        if (isControl) return sendControl(res, e.status, { error: { code: e.code, message: e.message } });
        return sendHetznerError(res, bucket, e.status, e.code, e.message, (e as ApiError & { details?: unknown }).details ?? null);
      }
      log(`internal error on ${req.method} ${url.pathname}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return sendHetznerError(res, bucket, 500, 'server_error', 'internal server error');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').filter((s) => s !== '');
    if (segments[0] === '_localcloud') return void (await serve(req, res, url, segments));
    const entry: RequestRecord = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, at: Date.now(), body: undefined };
    control.record(entry);
    const text = await readBody(req).catch(() => '');
    try {
      entry.body = text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      entry.body = text;
    }
    const unanswered = await serve(req, res, url, segments);
    entry.status = unanswered ?? (res.headersSent ? res.statusCode : 'dropped');
  }

  const { server, url } = await listen(handle, options.host, options.port);
  log(`Hetzner emulator on ${url}/v1 (backend ${backend.name})`);

  return {
    url,
    apiUrl: `${url}/v1`,
    token,
    ...emulatorHandle(server, control, fleet, backend),
  };
}
