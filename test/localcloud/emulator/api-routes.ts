import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PLANS, PRICE_ZONES, TEMPLATES, ZONES } from './catalog.js';
import { parseCreateRequest, parseLabels, yesNo } from './create-request.js';
import type { Fleet, LabelFilter, ModifyChange } from './fleet.js';
import { ApiError, sendJson, sendNoContent, type ReplySink } from './http-reply.js';
import { readJson } from './read-body.js';
import { renderCreated, renderDetails, renderRead } from './server-record.js';
import type { ControlState } from './state.js';

export interface ApiContext {
  fleet: Fleet;
  control: ControlState;
}

/** `label=key` or `label=key=value` (the `=` possibly sent as %3D), repeatable, all must match. */
export function parseLabelFilters(url: URL): LabelFilter[] {
  return url.searchParams.getAll('label').map((raw) => {
    const eq = raw.indexOf('=');
    return eq < 0 ? { key: raw } : { key: raw.slice(0, eq), value: raw.slice(eq + 1) };
  });
}

/** A path for the request counters, e.g. `/1.3/server/{uuid}/stop` (all path segments, version included). */
export function pathPattern(segments: string[]): string {
  return `/${segments.map((s, i) => (segments[i - 1] === 'server' ? '{uuid}' : s)).join('/')}`;
}

function methodNotAllowed(): never {
  throw new ApiError(405, 'METHOD_NOT_ALLOWED', 'The method is not allowed for this resource.');
}

async function createServer(req: IncomingMessage, res: ReplySink, ctx: ApiContext): Promise<void> {
  const spec = parseCreateRequest(await readJson(req));
  const { control, fleet } = ctx;
  if (control.insufficientCredits) {
    throw new ApiError(402, 'INSUFFICIENT_CREDITS', 'You do not have enough credits to perform this operation.');
  }
  if (control.maxCores !== null) {
    const used = fleet.all().reduce((sum, s) => sum + s.coreNumber, 0);
    if (used + spec.coreNumber > control.maxCores) {
      throw new ApiError(409, 'SERVER_CORE_LIMIT_REACHED', `The account's limit of ${control.maxCores} cores would be exceeded.`);
    }
  }
  if (control.maxCreating !== null && fleet.all().filter((s) => s.state === 'maintenance').length >= control.maxCreating) {
    throw new ApiError(409, 'SERVER_CREATING_LIMIT_REACHED', 'Too many servers are being created at the same time.');
  }
  const server = await fleet.create(spec, control.takeOptions());
  sendJson(res, 202, { server: renderCreated(server, randomBytes(12).toString('base64url').toLowerCase().slice(0, 16)) });
}

function parseModify(body: unknown): ModifyChange {
  const server = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).server : undefined;
  if (typeof server !== 'object' || server === null) throw new ApiError(400, 'REQUEST_INVALID', 'The request body must be {"server":{...}}.');
  const s = server as Record<string, unknown>;
  if (s.title !== undefined && (typeof s.title !== 'string' || s.title === '' || s.title.length > 255)) {
    throw new ApiError(400, 'SERVER_TITLE_INVALID', 'The server title is invalid.');
  }
  return {
    ...(s.title !== undefined ? { title: s.title as string } : {}),
    ...(s.labels !== undefined ? { labels: parseLabels(s.labels) } : {}),
    ...(s.metadata !== undefined ? { metadata: yesNo(s.metadata, 'no', 'METADATA_INVALID', 'metadata') } : {}),
    ...(s.remote_access_enabled !== undefined ? { remoteAccessEnabled: yesNo(s.remote_access_enabled, 'no', 'VNC_INVALID', 'remote_access_enabled') } : {}),
  };
}

async function serverRoutes(req: IncomingMessage, res: ReplySink, url: URL, rest: string[], ctx: ApiContext): Promise<void> {
  const { fleet } = ctx;
  const method = req.method ?? 'GET';
  const [uuid, action, ...more] = rest;
  if (uuid === undefined) {
    if (method === 'GET') return sendJson(res, 200, { servers: { server: fleet.list(parseLabelFilters(url)).map((s) => renderRead(s, 'list')) } });
    if (method === 'POST') return createServer(req, res, ctx);
    return methodNotAllowed();
  }
  if (more.length > 0) throw new ApiError(404, 'NOT_FOUND', 'The resource does not exist.');
  if (action === undefined) {
    if (method === 'GET') return sendJson(res, 200, { server: renderRead(fleet.find(uuid), 'get') });
    if (method === 'PUT') {
      const change = parseModify(await readJson(req));
      return sendJson(res, 202, { server: renderDetails(fleet.modify(uuid, change)) });
    }
    if (method === 'DELETE') {
      const storages = url.searchParams.get('storages');
      if (storages !== null && !['0', '1', 'true', 'false'].includes(storages)) {
        throw new ApiError(400, 'STORAGE_DELETION_POLICY_INVALID', 'The storages parameter must be 0 or 1.');
      }
      const backups = url.searchParams.get('backups');
      if (backups !== null && !['keep', 'keep_latest', 'delete'].includes(backups)) {
        throw new ApiError(400, 'BACKUP_DELETION_POLICY_INVALID', 'The backups parameter must be keep, keep_latest or delete.');
      }
      await fleet.delete(uuid);
      return sendNoContent(res);
    }
    return methodNotAllowed();
  }
  if (method !== 'POST') return methodNotAllowed();
  const body = await readJson(req);
  switch (action) {
    case 'stop': {
      const stop = (body as { stop_server?: { stop_type?: unknown } }).stop_server;
      const type = stop?.stop_type ?? 'soft';
      if (type !== 'soft' && type !== 'hard') throw new ApiError(400, 'STOP_TYPE_INVALID', 'The stop type must be soft or hard.');
      return sendJson(res, 200, { server: renderDetails(fleet.stop(uuid)) });
    }
    case 'start':
      return sendJson(res, 200, { server: renderDetails(await fleet.start(uuid)) });
    case 'restart':
      return sendJson(res, 200, { server: renderDetails(fleet.restart(uuid)) });
    default:
      fleet.find(uuid);
      throw new ApiError(404, 'NOT_FOUND', 'The resource does not exist.');
  }
}

/** Routes one authenticated request under /1.3/ (segments after the version). */
export async function routeApi(req: IncomingMessage, res: ReplySink, url: URL, segments: string[], ctx: ApiContext): Promise<void> {
  const [resource, ...rest] = segments;
  const isGet = req.method === 'GET';
  switch (resource) {
    case 'server':
      return serverRoutes(req, res, url, rest, ctx);
    case 'price':
      if (!isGet || rest.length) return methodNotAllowed();
      return sendJson(res, 200, { prices: { zone: PRICE_ZONES } });
    case 'plan':
      if (!isGet || rest.length) return methodNotAllowed();
      return sendJson(res, 200, { plans: { plan: PLANS } });
    case 'zone':
      if (!isGet || rest.length) return methodNotAllowed();
      return sendJson(res, 200, { zones: { zone: ZONES } });
    case 'storage': {
      const path = rest.join('/');
      if (isGet && (path === 'template' || path === 'public/template' || path === 'public')) {
        return sendJson(res, 200, { storages: { storage: TEMPLATES } });
      }
      throw new ApiError(404, 'NOT_FOUND', 'The resource does not exist in the emulator.');
    }
    default:
      throw new ApiError(404, 'NOT_FOUND', 'The resource does not exist.');
  }
}
