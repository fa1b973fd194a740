import { randomUUID } from 'node:crypto';
import { ApiError } from './http-reply.js';

/**
 * The rules an UpCloud server follows, in one place: the emulator (fleet.ts, api-routes.ts) and the in-memory
 * fake provider (test/fakes/memory-provider.ts) both apply them, so the two cannot drift. No timers, no I/O:
 * callers decide how long a transition takes and what machine sits behind a server.
 *
 *   create          -> maintenance, then started once booted (error when the boot fails)
 *   start           only from stopped:  -> maintenance -> started
 *   stop, restart   only from started:  -> maintenance -> stopped (restart: -> started again)
 *   power-off       from inside the machine (its OS shuts down): a started server -> maintenance -> stopped,
 *                   as a stop; in any other state no OS runs to ask, so nothing changes
 *   delete          only from stopped; the server is gone at once
 *   modify          any state but maintenance
 *   any other state 409 SERVER_STATE_ILLEGAL; an unknown UUID 404 SERVER_NOT_FOUND; a malformed one 400 SERVER_INVALID
 *   list            label filters ANDed (a key without value matches any value); a summary without addresses
 *   get, create     the full object, addresses included
 */

export type ServerState = 'maintenance' | 'started' | 'stopped' | 'error';

export interface Label {
  key: string;
  value: string;
}

/** `label=key` or `label=key=value` of `GET /server`. */
export interface LabelFilter {
  key: string;
  value?: string;
}

/** What a rule needs of a server; the emulator's ServerRecord and the fake's record both have it. */
export interface RuledServer {
  uuid: string;
  state: ServerState;
  labels: Label[];
}

/** The state of a server whose create was just accepted. */
export const CREATED_STATE: ServerState = 'maintenance';

/** The one state each action is allowed from. */
export const ACTION_NEEDS = { start: 'stopped', stop: 'started', restart: 'started', delete: 'stopped' } as const satisfies Record<string, ServerState>;
export type Action = keyof typeof ACTION_NEEDS;

export const SERVER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** UpCloud server UUIDs start with 00, storage UUIDs with 01, network UUIDs with 03. */
export function upcloudUuid(prefix: '00' | '01' | '03'): string {
  return prefix + randomUUID().slice(2);
}

/** Which reads carry the server's addresses: a list is a summary without them (recorded API behaviour). */
export type Read = 'list' | 'get' | 'create';
export function showsAddresses(read: Read): boolean {
  return read !== 'list';
}

/** Repeated label filters are ANDed; a filter without a value matches the key with any value. */
export function matchesLabels(labels: readonly Label[], filters: readonly LabelFilter[]): boolean {
  return filters.every((f) => labels.some((l) => l.key === f.key && (f.value === undefined || l.value === f.value)));
}

/** A `{key: value}` filter (the Provider interface's) as label filters. */
export function labelFilters(labels: Record<string, string>): LabelFilter[] {
  return Object.entries(labels).map(([key, value]) => ({ key, value }));
}

export function illegalState(server: RuledServer): ApiError {
  return new ApiError(409, 'SERVER_STATE_ILLEGAL', `The operation is not allowed while the server ${server.uuid} is in state '${server.state}'.`);
}

export function serverNotFound(uuid: string): ApiError {
  return new ApiError(404, 'SERVER_NOT_FOUND', `The server ${uuid} does not exist.`);
}

/**
 * The servers of one account and their state machine. Each transition has a begin (checked against the rules,
 * the server goes to `maintenance`) and an end (`booted`, `stopped`) that the caller calls when its delay is over;
 * an end for a server deleted meanwhile changes nothing.
 */
export class ServerTable<S extends RuledServer> {
  readonly #servers = new Map<string, S>();

  get size(): number {
    return this.#servers.size;
  }

  all(): S[] {
    return [...this.#servers.values()];
  }

  has(uuid: string): boolean {
    return this.#servers.has(uuid);
  }

  find(uuid: string): S {
    if (!SERVER_UUID.test(uuid)) throw new ApiError(400, 'SERVER_INVALID', 'The server UUID is invalid.');
    const server = this.#servers.get(uuid);
    if (!server) throw serverNotFound(uuid);
    return server;
  }

  list(filters: readonly LabelFilter[]): S[] {
    return this.all().filter((s) => matchesLabels(s.labels, filters));
  }

  /** A server whose create was accepted: in `maintenance` until `booted`. */
  add(server: S): S {
    server.state = CREATED_STATE;
    this.#servers.set(server.uuid, server);
    return server;
  }

  /** The server, when `action` is allowed in its state; otherwise 409. */
  require(uuid: string, action: Action): S {
    const server = this.find(uuid);
    if (server.state !== ACTION_NEEDS[action]) throw illegalState(server);
    return server;
  }

  /** start: stopped -> maintenance; end with `booted`. */
  beginStart(uuid: string): S {
    const server = this.require(uuid, 'start');
    server.state = 'maintenance';
    return server;
  }

  /** stop or restart: started -> maintenance. Returns the reply object (still `started`, as the API answers) and the server. */
  beginStop(uuid: string, action: 'stop' | 'restart' = 'stop'): { reply: S; server: S } {
    const server = this.require(uuid, action);
    const reply = { ...server };
    server.state = 'maintenance';
    return { reply, server };
  }

  /** A power-off from inside the machine: a started server begins a stop; undefined (nothing changes) otherwise. */
  beginPowerOff(uuid: string): S | undefined {
    const server = this.#servers.get(uuid);
    if (server?.state !== 'started') return undefined;
    server.state = 'maintenance';
    return server;
  }

  /** The end of a create, start or restart: `started`, or `error` when the machine did not boot. */
  booted(server: S, ok = true): void {
    if (!ok) server.state = 'error';
    else if (this.#servers.get(server.uuid) === server) server.state = 'started';
  }

  /** The end of a stop. */
  stopped(server: S): void {
    if (this.#servers.get(server.uuid) === server) server.state = 'stopped';
  }

  /** modify: refused only during maintenance. */
  modifiable(uuid: string): S {
    const server = this.find(uuid);
    if (server.state === 'maintenance') throw illegalState(server);
    return server;
  }

  /** delete: only when stopped; the server is gone at once. */
  remove(uuid: string): S {
    const server = this.require(uuid, 'delete');
    this.#servers.delete(uuid);
    return server;
  }

  /** Gone without any rule (shutdown, or a fake's server vanishing at the provider). */
  drop(uuid: string): S | undefined {
    const server = this.#servers.get(uuid);
    this.#servers.delete(uuid);
    return server;
  }

  /** Every server gone; their UUIDs. */
  clear(): string[] {
    const uuids = [...this.#servers.keys()];
    this.#servers.clear();
    return uuids;
  }
}
