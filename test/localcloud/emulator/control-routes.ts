import type { IncomingMessage, ServerResponse } from 'node:http';
import { EFFECTS, FAULT_KINDS, isEffect, isFaultKind, type Effect, type FaultKind, type FaultSettings } from './faults.js';
import { ApiError, sendControl } from './http-reply.js';
import { readJson } from './read-body.js';
import type { ControlState } from './state.js';

export interface EmulatorStats {
  requests: Record<string, number>;
  live_servers: number;
  faults: Record<FaultKind, number>;
}

/** What the control endpoints read of an emulator's servers (the UpCloud Fleet, the Hetzner one). */
export interface ControlFleet {
  readonly size: number;
  /** The live servers as `GET /_localcloud/servers` shows them: API objects plus `localcloud_options`. */
  listing(): Record<string, unknown>[];
}

export function statsOf(control: ControlState, fleet: ControlFleet): EmulatorStats {
  return { requests: Object.fromEntries(control.requests), live_servers: fleet.size, faults: { ...control.faults.counts } };
}

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

type Body = Record<string, unknown>;

function field<T>(body: Body, key: string, check: (v: unknown) => v is T, what: string): T | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!check(value)) throw new ApiError(400, 'REQUEST_INVALID', `${key} must be ${what}.`);
  return value;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isEffects = (v: unknown): v is Effect[] => Array.isArray(v) && v.length > 0 && v.every(isEffect);
const isMethod = (v: unknown): v is string => typeof v === 'string' && /^[A-Z]+$/.test(v);
const isKinds = (v: unknown): v is FaultKind[] => Array.isArray(v) && v.length > 0 && v.every(isFaultKind);

function faultUpdate(body: Body): Partial<FaultSettings> {
  const rate = field(body, 'fault_rate', isNumber, 'a number from 0 to 1');
  if (rate !== undefined && (rate < 0 || rate > 1)) throw new ApiError(400, 'REQUEST_INVALID', 'fault_rate must be a number from 0 to 1.');
  const seed = field(body, 'seed', isNumber, 'a number');
  const kinds = field(body, 'kinds', isKinds, `a non-empty list of ${FAULT_KINDS.join(', ')}`);
  const slowMs = field(body, 'slow_ms', isNumber, 'a number of milliseconds');
  return {
    ...(rate !== undefined ? { rate } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(kinds !== undefined ? { kinds } : {}),
    ...(slowMs !== undefined ? { slowMs } : {}),
  };
}

/** The emulator's own endpoints under /_localcloud/: loopback only, no credentials. */
export async function routeControl(req: IncomingMessage, res: ServerResponse, name: string, control: ControlState, fleet: ControlFleet): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) throw new ApiError(403, 'FORBIDDEN', 'Control endpoints answer loopback clients only.');
  const route = `${req.method ?? 'GET'} ${name}`;
  if (route === 'GET stats') return sendControl(res, 200, statsOf(control, fleet));
  if (route === 'GET requests') return sendControl(res, 200, { requests: control.log });
  if (route === 'GET servers') return sendControl(res, 200, { servers: fleet.listing() });
  if (req.method !== 'POST') throw new ApiError(404, 'NOT_FOUND', `No control endpoint ${route}.`);
  const raw = await readJson(req);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError(400, 'REQUEST_INVALID', 'The body must be a JSON object.');
  const body = raw as Body;
  switch (name) {
    case 'faults': {
      control.faults.configure(faultUpdate(body));
      const { rate, seed, kinds, slowMs } = control.faults.current;
      return sendControl(res, 200, { fault_rate: rate, seed, kinds, slow_ms: slowMs });
    }
    case 'script': {
      const what = `a non-empty list of ${EFFECTS.join(', ')} or {status,code,message,problem?,retryAfter?} (status 400-599)`;
      const effects = field(body, 'effects', isEffects, what);
      if (effects === undefined) throw new ApiError(400, 'REQUEST_INVALID', 'effects is required.');
      control.faults.script(effects, field(body, 'method', isMethod, 'an upper-case HTTP method'));
      return sendControl(res, 200, { pending: control.faults.pending() });
    }
    case 'next-servers': {
      const count = field(body, 'count', isNumber, 'a positive integer');
      if (count === undefined || !Number.isInteger(count) || count < 1) throw new ApiError(400, 'REQUEST_INVALID', 'count must be a positive integer.');
      const docker = field(body, 'docker', isBool, 'true or false') ?? control.defaultOptions.docker;
      const ssh = field(body, 'ssh', isBool, 'true or false') ?? control.defaultOptions.ssh;
      const ownHostKey = field(body, 'own_host_key', isBool, 'true or false') ?? false;
      control.queueOptions(count, { docker, ssh, ...(ownHostKey ? { ownHostKey } : {}) });
      return sendControl(res, 200, { pending: control.pendingOptions() });
    }
    case 'credits': {
      const insufficient = field(body, 'insufficient', isBool, 'true or false');
      if (insufficient === undefined) throw new ApiError(400, 'REQUEST_INVALID', 'insufficient is required.');
      control.insufficientCredits = insufficient;
      return sendControl(res, 200, { insufficient });
    }
    case 'quota': {
      const limit = (key: string) => {
        const v = body[key];
        if (v === undefined || v === null || (isNumber(v) && Number.isInteger(v) && v >= 0)) return v ?? null;
        throw new ApiError(400, 'REQUEST_INVALID', `${key} must be a non-negative integer or null.`);
      };
      if ('max_cores' in body) control.maxCores = limit('max_cores');
      if ('max_creating' in body) control.maxCreating = limit('max_creating');
      return sendControl(res, 200, { max_cores: control.maxCores, max_creating: control.maxCreating });
    }
    default:
      throw new ApiError(404, 'NOT_FOUND', `No control endpoint ${route}.`);
  }
}
