import type { IncomingMessage } from 'node:http';
import { ApiError, type ReplySink } from '../emulator/http-reply.js';
import { readBody } from '../emulator/read-body.js';
import type { ControlState } from '../emulator/state.js';
import { IMAGES, LOCATIONS, PRICING, SERVER_TYPES } from './catalog.js';
import { parseCreateRequest, parseLabels } from './create-request.js';
import { renderServer, type HetznerFleet } from './fleet.js';
import { parseLabelSelector } from './label-selector.js';
import { paginate, sendHetzner, type RateBucket } from './reply.js';
import type { SshKeyTable } from './ssh-keys.js';

export interface HetznerContext {
  fleet: HetznerFleet;
  keys: SshKeyTable;
  control: ControlState;
  bucket: RateBucket;
}

/** A path for the request counters, e.g. `/v1/servers/{id}/actions/poweron`. */
export function hetznerPathPattern(segments: string[]): string {
  return `/${segments.map((s) => (/^\d+$/.test(s) ? '{id}' : s)).join('/')}`;
}

/** Power actions come without a body (hcloud-go sends none); anything else must be JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'json_error', 'request body is not valid JSON');
  }
}

function notFound(): never {
  throw new ApiError(404, 'not_found', 'resource not found');
}

function methodNotAllowed(): never {
  throw new ApiError(405, 'method_not_allowed', 'method not allowed');
}

function list<T>(res: ReplySink, ctx: HetznerContext, key: string, items: T[], url: URL): void {
  const { page, meta } = paginate(items, url);
  sendHetzner(res, ctx.bucket, 200, { [key]: page, meta });
}

async function createServer(req: IncomingMessage, res: ReplySink, ctx: HetznerContext): Promise<void> {
  const spec = parseCreateRequest(await readJson(req));
  const keys = spec.sshKeyRefs.map((ref) => ctx.keys.resolve(ref).public_key);
  const { control, fleet } = ctx;
  if (control.maxCores !== null) {
    const used = fleet.all().reduce((sum, s) => sum + Number(s.spec.serverType.cores), 0);
    if (used + Number(spec.serverType.cores) > control.maxCores) {
      throw Object.assign(new ApiError(403, 'resource_limit_exceeded', 'core limit exceeded'), { details: { limits: [{ name: 'cores' }] } });
    }
  }
  const { server, action, next } = await fleet.create(spec, keys, control.takeOptions());
  sendHetzner(res, ctx.bucket, 201, { server: renderServer(server), action, next_actions: next, root_password: keys.length === 0 ? 'YItygq1v3GYjjMomLaKc' : null });
}

async function servers(req: IncomingMessage, res: ReplySink, url: URL, rest: string[], ctx: HetznerContext): Promise<void> {
  const { fleet } = ctx;
  const method = req.method ?? 'GET';
  const [id, sub, action, ...more] = rest;
  if (id === undefined) {
    if (method === 'GET') return list(res, ctx, 'servers', fleet.list(parseLabelSelector(url.searchParams.get('label_selector')), url.searchParams.get('name')).map(renderServer), url);
    if (method === 'POST') return createServer(req, res, ctx);
    return methodNotAllowed();
  }
  if (sub === undefined) {
    if (method === 'GET') return sendHetzner(res, ctx.bucket, 200, { server: renderServer(fleet.find(id)) });
    if (method === 'DELETE') return sendHetzner(res, ctx.bucket, 200, { action: fleet.delete(id) });
    if (method === 'PUT') {
      const body = (await readJson(req)) as Record<string, unknown>;
      const change = { ...(typeof body.name === 'string' ? { name: body.name } : {}), ...(body.labels !== undefined ? { labels: parseLabels(body.labels) } : {}) };
      return sendHetzner(res, ctx.bucket, 200, { server: renderServer(fleet.relabel(id, change)) });
    }
    return methodNotAllowed();
  }
  if (sub !== 'actions' || action === undefined || more.length > 0) return notFound();
  if (method !== 'POST') return methodNotAllowed();
  await readJson(req);
  switch (action) {
    case 'poweron':
      return sendHetzner(res, ctx.bucket, 201, { action: fleet.poweron(id) });
    case 'poweroff':
      return sendHetzner(res, ctx.bucket, 201, { action: fleet.poweroff(id, 'stop_server') });
    case 'shutdown':
      return sendHetzner(res, ctx.bucket, 201, { action: fleet.poweroff(id, 'shutdown_server') });
    default:
      fleet.find(id);
      return notFound();
  }
}

async function sshKeys(req: IncomingMessage, res: ReplySink, url: URL, rest: string[], ctx: HetznerContext): Promise<void> {
  if (rest.length > 0) return notFound();
  if (req.method === 'GET') return list(res, ctx, 'ssh_keys', ctx.keys.list({ name: url.searchParams.get('name'), fingerprint: url.searchParams.get('fingerprint') }), url);
  if (req.method !== 'POST') return methodNotAllowed();
  const body = (await readJson(req)) as Record<string, unknown>;
  return sendHetzner(res, ctx.bucket, 201, { ssh_key: ctx.keys.create(body.name, body.public_key, parseLabels(body.labels)) });
}

function actions(req: IncomingMessage, res: ReplySink, url: URL, rest: string[], ctx: HetznerContext): void {
  if (req.method !== 'GET') return methodNotAllowed();
  const [id] = rest;
  if (id !== undefined) {
    const found = ctx.fleet.actions.get(Number(id));
    return found ? sendHetzner(res, ctx.bucket, 200, { action: found }) : notFound();
  }
  const ids = url.searchParams.getAll('id');
  if (ids.length === 0) throw new ApiError(422, 'invalid_input', "invalid input in field 'id'");
  const found = ids.flatMap((raw) => ctx.fleet.actions.get(Number(raw)) ?? []);
  return list(res, ctx, 'actions', found, url);
}

function byName(items: Record<string, unknown>[], url: URL): Record<string, unknown>[] {
  const name = url.searchParams.get('name');
  const architecture = url.searchParams.get('architecture');
  return items.filter((i) => (name === null || i.name === name) && (architecture === null || i.architecture === architecture));
}

/** Routes one authenticated request under /v1/ (segments after the version). */
export async function routeHetzner(req: IncomingMessage, res: ReplySink, url: URL, segments: string[], ctx: HetznerContext): Promise<void> {
  const [resource, ...rest] = segments;
  const isGet = req.method === 'GET';
  switch (resource) {
    case 'servers':
      return servers(req, res, url, rest, ctx);
    case 'ssh_keys':
      return sshKeys(req, res, url, rest, ctx);
    case 'actions':
      return actions(req, res, url, rest, ctx);
    case 'server_types':
      if (!isGet || rest.length) return methodNotAllowed();
      return list(res, ctx, 'server_types', byName(SERVER_TYPES, url), url);
    case 'locations':
      if (!isGet || rest.length) return methodNotAllowed();
      return list(res, ctx, 'locations', byName(LOCATIONS, url), url);
    case 'images':
      if (!isGet || rest.length) return methodNotAllowed();
      return list(res, ctx, 'images', byName(IMAGES, url), url);
    case 'pricing':
      if (!isGet || rest.length) return methodNotAllowed();
      return sendHetzner(res, ctx.bucket, 200, { pricing: { ...PRICING, server_types: SERVER_TYPES.map((t) => ({ id: t.id, name: t.name, prices: t.prices })) } });
    case 'datacenters':
      throw Object.assign(new ApiError(410, 'deprecated_api_endpoint', 'datacenters are no longer available'), {
        details: { announcement: 'https://docs.hetzner.cloud/changelog#2025-12-16-phasing-out-datacenters' },
      });
    default:
      return notFound();
  }
}
