import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendServer, VmBackend } from '../backend.js';
import { createNoneBackend } from '../none-backend.js';
import { pathPattern, routeApi } from './api-routes.js';
import { checkAuth, type Credentials } from './auth.js';
import { routeControl } from './control-routes.js';
import { applyEffect, type Unanswered } from './fault-effects.js';
import { DEFAULT_FAULT_KINDS, type FaultKind } from './faults.js';
import { Fleet } from './fleet.js';
import { ApiError, sendControl, sendError, type ReplySink } from './http-reply.js';
import { readBody } from './read-body.js';
import type { ServerRecord } from './server-record.js';
import { emulatorHandle, listen, type EmulatorHandle } from './serve.js';
import { ControlState, type RequestRecord } from './state.js';

export interface EmulatorOptions {
  backend?: VmBackend;
  port?: number;
  host?: string;
  /** Time a new or started server spends in `maintenance` before it is `started` (default 200 ms). */
  bootDelayMs?: number;
  /** Time a stopped or restarted server spends in `maintenance` (default min(bootDelayMs, 1000)). */
  stopDelayMs?: number;
  faultRate?: number;
  seed?: number;
  faultKinds?: readonly FaultKind[];
  slowMs?: number;
  username?: string;
  password?: string;
  token?: string;
  /** Machine options of servers not covered by `POST /_localcloud/next-servers` (default docker false, ssh true). */
  defaultServerOptions?: BackendServer['options'];
  log?: (line: string) => void;
}

export interface Emulator extends Credentials, EmulatorHandle<ServerRecord> {
  /** http://host:port */
  url: string;
  /** url + /1.3 */
  apiUrl: string;
}

const AUTH_REQUIRED = 'The use of this API requires authentication. Create your account at https://www.upcloud.com/.';
const AUTH_FAILED = 'Authentication failed using the given username and password.';

function isClosedSocket(res: ServerResponse): boolean {
  return res.headersSent || res.destroyed;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const log = options.log ?? (() => {});
  const backend = options.backend ?? createNoneBackend();
  const creds: Credentials = {
    username: options.username ?? `localcloud-${randomBytes(3).toString('hex')}`,
    password: options.password ?? randomBytes(18).toString('base64url'),
    token: options.token ?? `ucat_${randomBytes(24).toString('hex')}`,
  };
  const bootMs = options.bootDelayMs ?? 200;
  const fleet = new Fleet(backend, { bootMs, stopMs: options.stopDelayMs ?? Math.min(bootMs, 1000) }, log);
  backend.onPowerOff?.((uuid) => fleet.powerOff(uuid));
  const control = new ControlState(
    { rate: options.faultRate ?? 0, seed: options.seed ?? 1, kinds: options.faultKinds ?? DEFAULT_FAULT_KINDS, slowMs: options.slowMs ?? 1500 },
    options.defaultServerOptions ?? { docker: false, ssh: true },
  );

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<Unanswered | void> {
    const [version, ...rest] = segments;
    control.count(`${req.method} ${pathPattern(segments)}`);
    const auth = checkAuth(req, creds);
    // Recorded live behaviour: a missing header gets problem+json with a legacy body; wrong credentials plain JSON.
    if (auth === 'missing') return sendError(res, 401, 'AUTHENTICATION_REQUIRED', AUTH_REQUIRED, 'application/problem+json');
    if (auth === 'failed') return sendError(res, 401, 'AUTHENTICATION_FAILED', AUTH_FAILED, 'application/json');
    if (version !== '1.3') throw new ApiError(400, 'API_VERSION_INVALID', `The API version ${version ?? ''} is invalid.`);
    const method = req.method ?? 'GET';
    const isCreate = method === 'POST' && rest.length === 1 && rest[0] === 'server';
    const effect = control.faults.next(method, isCreate);
    if (effect !== 'pass') log(`fault ${JSON.stringify(effect)} on ${method} ${url.pathname}`);
    const route = (sink: ReplySink) => routeApi(req, sink, url, rest, { fleet, control });
    return applyEffect(effect, req, res, route, control.faults.current.slowMs);
  }

  /** The body for the request log: parsed JSON, the raw text, or undefined when empty or unreadable. */
  async function logBody(req: IncomingMessage): Promise<unknown> {
    const text = await readBody(req).catch(() => '');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<Unanswered | void> {
    const isControl = segments[0] === '_localcloud';
    try {
      if (isControl) return await routeControl(req, res, segments.slice(1).join('/'), control, fleet);
      if (segments.length === 0) throw new ApiError(404, 'NOT_FOUND', 'Nothing here; the API is under /1.3/.');
      return await handleApi(req, res, url, segments);
    } catch (e) {
      if (isClosedSocket(res)) return;
      if (e instanceof ApiError) {
        if (isControl) return sendControl(res, e.status, { error: { error_code: e.code, error_message: e.message } });
        return sendError(res, e.status, e.code, e.message);
      }
      log(`internal error on ${req.method} ${url.pathname}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return sendError(res, 500, 'INTERNAL_ERROR', 'An internal error occurred.');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').filter((s) => s !== '');
    if (segments[0] === '_localcloud') return void (await serve(req, res, url, segments));
    const entry: RequestRecord = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, at: Date.now(), body: undefined };
    control.record(entry);
    entry.body = await logBody(req);
    const unanswered = await serve(req, res, url, segments);
    entry.status = unanswered ?? (res.headersSent ? res.statusCode : 'dropped');
  }

  const { server, url } = await listen(handle, options.host, options.port);
  log(`UpCloud emulator on ${url}/1.3 (backend ${backend.name})`);

  return {
    ...creds,
    url,
    apiUrl: `${url}/1.3`,
    ...emulatorHandle(server, control, fleet, backend),
  };
}
