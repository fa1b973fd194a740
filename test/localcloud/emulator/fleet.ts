import type { BackendServer, VmBackend } from '../backend.js';
import type { CreateSpec } from './create-request.js';
import { ApiError } from './http-reply.js';
import { newServerRecord, upcloudUuid, type Label, type ServerRecord, type ServerState } from './server-record.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type LabelFilter = { key: string; value?: string };
export interface ModifyChange {
  title?: string;
  labels?: Label[];
  metadata?: 'yes' | 'no';
  remoteAccessEnabled?: 'yes' | 'no';
}

/**
 * The emulator's servers and their state machine. The backend gives each server its address (at create) and
 * its machine (start/stop/destroy); this class decides what the API answers.
 */
export class Fleet {
  private readonly servers = new Map<string, ServerRecord>();
  private readonly options = new Map<string, BackendServer['options']>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;
  private counter = 0;

  constructor(
    private readonly backend: VmBackend,
    private readonly delays: { bootMs: number; stopMs: number },
    private readonly log: (line: string) => void,
  ) {}

  get size(): number {
    return this.servers.size;
  }

  all(): ServerRecord[] {
    return [...this.servers.values()];
  }

  optionsOf(uuid: string): BackendServer['options'] | undefined {
    return this.options.get(uuid);
  }

  find(uuid: string): ServerRecord {
    if (!UUID.test(uuid)) throw new ApiError(400, 'SERVER_INVALID', 'The server UUID is invalid.');
    const server = this.servers.get(uuid);
    if (!server) throw new ApiError(404, 'SERVER_NOT_FOUND', `The server ${uuid} does not exist.`);
    return server;
  }

  list(filters: LabelFilter[]): ServerRecord[] {
    const has = (labels: Label[], f: LabelFilter) => labels.some((l) => l.key === f.key && (f.value === undefined || l.value === f.value));
    return this.all().filter((s) => filters.every((f) => has(s.labels, f)));
  }

  async create(spec: CreateSpec, options: BackendServer['options']): Promise<ServerRecord> {
    if (this.closed) throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'The emulator is shutting down.');
    const uuid = upcloudUuid('00');
    const labels = Object.fromEntries(spec.labels.map((l) => [l.key, l.value]));
    // Tracked as one piece so that a shutdown meanwhile waits for the undo before closing the backend.
    const server = await this.track(
      (async () => {
        const { ip } = await this.backend.allocate({ uuid, hostname: spec.hostname, sshKeys: spec.sshKeys, labels, options });
        if (this.closed) {
          await this.backend.destroy(uuid);
          throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'The emulator is shutting down.');
        }
        return newServerRecord(++this.counter, uuid, spec, ip);
      })(),
    );
    this.servers.set(uuid, server);
    this.options.set(uuid, options);
    this.later(this.delays.bootMs, () => this.boot(server));
    return server;
  }

  /** Replies with the object still `started`, then goes through `maintenance` to `stopped`. */
  stop(uuid: string): ServerRecord {
    const server = this.require(uuid, 'started');
    const reply = { ...server };
    server.state = 'maintenance';
    this.later(this.delays.stopMs, async () => {
      await this.backend.stop(uuid);
      if (this.servers.has(uuid)) server.state = 'stopped';
    });
    return reply;
  }

  async start(uuid: string): Promise<ServerRecord> {
    const server = this.require(uuid, 'stopped');
    server.state = 'maintenance';
    await this.track(this.boot(server));
    return server;
  }

  restart(uuid: string): ServerRecord {
    const server = this.require(uuid, 'started');
    const reply = { ...server };
    server.state = 'maintenance';
    this.later(this.delays.stopMs, async () => {
      await this.backend.stop(uuid);
      await this.boot(server);
    });
    return reply;
  }

  modify(uuid: string, change: ModifyChange): ServerRecord {
    const server = this.find(uuid);
    if (server.state === 'maintenance') throw illegal(server);
    if (change.title !== undefined) server.title = change.title;
    if (change.labels !== undefined) server.labels = change.labels;
    if (change.metadata !== undefined) server.metadata = change.metadata;
    if (change.remoteAccessEnabled !== undefined) server.remoteAccessEnabled = change.remoteAccessEnabled;
    return server;
  }

  async delete(uuid: string): Promise<void> {
    this.require(uuid, 'stopped');
    this.servers.delete(uuid);
    this.options.delete(uuid);
    await this.track(this.backend.destroy(uuid));
  }

  /** Destroys every server through the backend; used at shutdown. */
  async destroyAll(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    const uuids = [...this.servers.keys()];
    this.servers.clear();
    for (const uuid of uuids) {
      await this.backend.destroy(uuid).catch((e: unknown) => this.log(`destroy ${uuid} failed: ${String(e)}`));
    }
  }

  private require(uuid: string, state: ServerState): ServerRecord {
    const server = this.find(uuid);
    if (server.state !== state) throw illegal(server);
    return server;
  }

  private async boot(server: ServerRecord): Promise<void> {
    try {
      await this.backend.start(server.uuid);
      if (this.servers.has(server.uuid)) server.state = 'started';
    } catch (e) {
      this.log(`backend start of ${server.uuid} failed: ${String(e)}`);
      server.state = 'error';
    }
  }

  /** Backend work in flight, so that shutdown waits for it before destroying. */
  private track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return work;
  }

  private later(ms: number, task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.track(task()).catch((e: unknown) => this.log(`background task failed: ${String(e)}`));
    }, ms);
    this.timers.add(timer);
  }
}

function illegal(server: ServerRecord): ApiError {
  return new ApiError(409, 'SERVER_STATE_ILLEGAL', `The operation is not allowed while the server ${server.uuid} is in state '${server.state}'.`);
}
