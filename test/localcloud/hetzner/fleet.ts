import type { BackendServer, VmBackend } from '../backend.js';
import type { ControlFleet } from '../emulator/control-routes.js';
import { ApiError } from '../emulator/http-reply.js';
import { ActionTable, timestamp, type ActionRecord } from './actions.js';
import type { CreateSpec } from './create-request.js';
import type { Matcher } from './label-selector.js';

/**
 * The emulator's Hetzner servers and their rules (the reference notes, section 7, mark most transitions as
 * inferred; these are the choices made):
 *
 *   create     -> initializing; after the boot delay the machine starts -> running (create_server and
 *                 start_server succeed then)
 *   poweron    off -> starting -> running; on a running server an action that has already succeeded
 *   poweroff, shutdown   running -> stopping -> off
 *   delete     any status; gone at once (404), the name stays taken until the delete action has finished
 *   while any action of a server runs, poweron/poweroff/shutdown/delete/PUT are 423 `locked`
 *   names      unique per project: 409 `uniqueness_error` "server name is already used"
 */
export interface HetznerServer {
  id: number;
  name: string;
  status: 'initializing' | 'starting' | 'running' | 'stopping' | 'off' | 'deleting';
  spec: CreateSpec;
  labels: Record<string, string>;
  ip: string;
  ipv4Id: number;
  created: string;
}

export class HetznerFleet implements ControlFleet {
  readonly actions = new ActionTable();
  readonly #servers = new Map<number, HetznerServer>();
  readonly #options = new Map<number, BackendServer['options']>();
  /** Names of deleted servers whose delete action is still running. */
  readonly #leaving = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;
  #next = 2 ** 32 + 7;

  constructor(
    private readonly backend: VmBackend,
    private readonly delays: { bootMs: number; stopMs: number },
    private readonly log: (line: string) => void,
  ) {}

  get size(): number {
    return this.#servers.size;
  }

  all(): HetznerServer[] {
    return [...this.#servers.values()];
  }

  listing(): Record<string, unknown>[] {
    return this.all().map((s) => ({ ...renderServer(s), localcloud_options: this.#options.get(s.id) }));
  }

  list(match: Matcher, name: string | null): HetznerServer[] {
    return this.all().filter((s) => match(s.labels) && (name === null || s.name === name));
  }

  find(id: string): HetznerServer {
    const server = /^\d+$/.test(id) ? this.#servers.get(Number(id)) : undefined;
    if (!server) throw new ApiError(404, 'not_found', `server with ID '${id}' not found`);
    return server;
  }

  async create(spec: CreateSpec, sshKeys: string[], options: BackendServer['options']): Promise<{ server: HetznerServer; action: ActionRecord; next: ActionRecord[] }> {
    if (this.#closed) throw new ApiError(503, 'unavailable', 'the emulator is shutting down');
    if (this.all().some((s) => s.name === spec.name) || this.#leaving.has(spec.name)) throw new ApiError(409, 'uniqueness_error', 'server name is already used');
    const id = this.#next++;
    const { ip } = await this.#track(this.backend.allocate({ uuid: String(id), hostname: spec.name, sshKeys, labels: spec.labels, options, ...(spec.userData ? { userData: spec.userData } : {}) }));
    if (this.#closed) {
      await this.backend.destroy(String(id));
      throw new ApiError(503, 'unavailable', 'the emulator is shutting down');
    }
    const server: HetznerServer = { id, name: spec.name, status: 'initializing', spec, labels: spec.labels, ip, ipv4Id: id + 100, created: timestamp() };
    this.#servers.set(id, server);
    this.#options.set(id, options);
    const action = this.actions.start('create_server', id);
    const next = spec.startAfterCreate ? [this.actions.start('start_server', id)] : [];
    this.#later(this.delays.bootMs, async () => {
      this.actions.finish(action);
      if (next[0]) await this.#boot(server, next[0]);
      else server.status = 'off';
    });
    return { server, action, next };
  }

  poweron(id: string): ActionRecord {
    const server = this.#unlocked(id);
    if (server.status === 'running') return this.actions.done('start_server', server.id);
    const action = this.actions.start('start_server', server.id);
    server.status = 'starting';
    this.#later(this.delays.bootMs, () => this.#boot(server, action));
    return action;
  }

  poweroff(id: string, command: 'stop_server' | 'shutdown_server'): ActionRecord {
    const server = this.#unlocked(id);
    if (server.status === 'off') return this.actions.done(command, server.id);
    const action = this.actions.start(command, server.id);
    server.status = 'stopping';
    this.#later(this.delays.stopMs, async () => {
      await this.backend.stop(String(server.id));
      if (this.#servers.get(server.id) === server) server.status = 'off';
      this.actions.finish(action);
    });
    return action;
  }

  relabel(id: string, change: { name?: string; labels?: Record<string, string> }): HetznerServer {
    const server = this.#unlocked(id);
    if (change.name !== undefined) server.name = change.name;
    if (change.labels !== undefined) server.labels = change.labels;
    return server;
  }

  delete(id: string): ActionRecord {
    const server = this.#unlocked(id);
    this.#servers.delete(server.id);
    this.#options.delete(server.id);
    this.#leaving.add(server.name);
    server.status = 'deleting';
    const action = this.actions.start('delete_server', server.id);
    void this.#track(
      this.backend.destroy(String(server.id)).then(
        () => this.actions.finish(action),
        (e: unknown) => this.actions.finish(action, { code: 'unknown_error', message: String(e) }),
      ),
    ).finally(() => this.#leaving.delete(server.name));
    return action;
  }

  async destroyAll(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
    const ids = [...this.#servers.keys()];
    this.#servers.clear();
    for (const id of ids) await this.backend.destroy(String(id)).catch((e: unknown) => this.log(`destroy ${id} failed: ${String(e)}`));
  }

  #unlocked(id: string): HetznerServer {
    const server = this.find(id);
    if (this.actions.busy(server.id)) throw new ApiError(423, 'locked', 'cannot perform operation because server is locked');
    return server;
  }

  async #boot(server: HetznerServer, action: ActionRecord): Promise<void> {
    try {
      await this.backend.start(String(server.id));
      if (this.#servers.get(server.id) === server) server.status = 'running';
      this.actions.finish(action);
    } catch (e) {
      this.log(`backend start of ${server.id} failed: ${String(e)}`);
      server.status = 'off';
      this.actions.finish(action, { code: 'action_failed', message: 'Action failed' });
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
    return work;
  }

  #later(ms: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#track(task()).catch((e: unknown) => this.log(`background task failed: ${String(e)}`));
    }, ms);
    this.#timers.add(timer);
  }
}

/** A server in the shape of go-server-get-200.json (every member present, `location`, no `datacenter`). */
export function renderServer(s: HetznerServer): Record<string, unknown> {
  const type = s.spec.serverType;
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    server_type: type,
    location: s.spec.location,
    image: s.spec.image,
    iso: null,
    primary_disk_size: type.disk,
    labels: { ...s.labels },
    protection: { delete: false, rebuild: false },
    backup_window: null,
    rescue_enabled: false,
    locked: false,
    placement_group: null,
    public_net: {
      firewalls: [],
      floating_ips: [],
      ipv4: { id: s.ipv4Id, ip: s.ip, blocked: false, dns_ptr: `static.${s.ip.split('.').reverse().join('.')}.clients.your-server.de` },
      ipv6: { id: s.ipv4Id + 1, ip: `2a01:4f8:c012:${(s.id % 65536).toString(16)}::/64`, blocked: false, dns_ptr: [] },
    },
    private_net: [],
    load_balancers: [],
    volumes: [],
    included_traffic: 21990232555520,
    ingoing_traffic: 0,
    outgoing_traffic: 0,
    created: s.created,
  };
}
