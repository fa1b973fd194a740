import type { BackendServer, VmBackend } from '../backend.js';
import type { CreateSpec } from './create-request.js';
import { ApiError } from './http-reply.js';
import { ServerTable, upcloudUuid, type Label, type LabelFilter } from './rules.js';
import { newServerRecord, renderDetails, type ServerRecord } from './server-record.js';

export type { LabelFilter };
export interface ModifyChange {
  title?: string;
  labels?: Label[];
  metadata?: 'yes' | 'no';
  remoteAccessEnabled?: 'yes' | 'no';
}

/**
 * The emulator's servers. Their state machine is rules.ts (shared with the in-memory fake provider); this class
 * adds the timing and the backend, which gives each server its address (at create) and its machine
 * (start/stop/destroy).
 */
export class Fleet {
  private readonly servers = new ServerTable<ServerRecord>();
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
    return this.servers.all();
  }

  optionsOf(uuid: string): BackendServer['options'] | undefined {
    return this.options.get(uuid);
  }

  listing(): Record<string, unknown>[] {
    return this.all().map((s) => ({ ...renderDetails(s), localcloud_options: this.optionsOf(s.uuid) }));
  }

  find(uuid: string): ServerRecord {
    return this.servers.find(uuid);
  }

  list(filters: LabelFilter[]): ServerRecord[] {
    return this.servers.list(filters);
  }

  async create(spec: CreateSpec, options: BackendServer['options']): Promise<ServerRecord> {
    if (this.closed) throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'The emulator is shutting down.');
    const uuid = upcloudUuid('00');
    const labels = Object.fromEntries(spec.labels.map((l) => [l.key, l.value]));
    // Tracked as one piece so that a shutdown meanwhile waits for the undo before closing the backend.
    const server = await this.track(
      (async () => {
        const { ip } = await this.backend.allocate({ uuid, hostname: spec.hostname, sshKeys: spec.sshKeys, labels, options, ...(spec.userData ? { userData: spec.userData } : {}) });
        if (this.closed) {
          await this.backend.destroy(uuid);
          throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'The emulator is shutting down.');
        }
        return newServerRecord(++this.counter, uuid, spec, ip);
      })(),
    );
    this.servers.add(server);
    this.options.set(uuid, options);
    this.later(this.delays.bootMs, () => this.boot(server));
    return server;
  }

  /** Replies with the object still `started`, then goes through `maintenance` to `stopped`. */
  stop(uuid: string): ServerRecord {
    const { reply, server } = this.servers.beginStop(uuid);
    this.later(this.delays.stopMs, async () => {
      await this.backend.stop(uuid);
      this.servers.stopped(server);
    });
    return reply;
  }

  /** The machine's own OS powers it off (a started server only, rules.ts): `maintenance`, its machine stopped, `stopped`. */
  powerOff(uuid: string): void {
    const server = this.servers.beginPowerOff(uuid);
    if (!server) return;
    this.later(this.delays.stopMs, async () => {
      await this.backend.stop(uuid);
      this.servers.stopped(server);
    });
  }

  async start(uuid: string): Promise<ServerRecord> {
    const server = this.servers.beginStart(uuid);
    await this.track(this.boot(server));
    return server;
  }

  restart(uuid: string): ServerRecord {
    const { reply, server } = this.servers.beginStop(uuid, 'restart');
    this.later(this.delays.stopMs, async () => {
      await this.backend.stop(uuid);
      await this.boot(server);
    });
    return reply;
  }

  modify(uuid: string, change: ModifyChange): ServerRecord {
    const server = this.servers.modifiable(uuid);
    if (change.title !== undefined) server.title = change.title;
    if (change.labels !== undefined) server.labels = change.labels;
    if (change.metadata !== undefined) server.metadata = change.metadata;
    if (change.remoteAccessEnabled !== undefined) server.remoteAccessEnabled = change.remoteAccessEnabled;
    return server;
  }

  async delete(uuid: string): Promise<void> {
    this.servers.remove(uuid);
    this.options.delete(uuid);
    await this.track(this.backend.destroy(uuid));
  }

  /** Destroys every server through the backend; used at shutdown. */
  async destroyAll(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    const uuids = this.servers.clear();
    for (const uuid of uuids) {
      await this.backend.destroy(uuid).catch((e: unknown) => this.log(`destroy ${uuid} failed: ${String(e)}`));
    }
  }

  private async boot(server: ServerRecord): Promise<void> {
    try {
      await this.backend.start(server.uuid);
      this.servers.booted(server);
    } catch (e) {
      this.log(`backend start of ${server.uuid} failed: ${String(e)}`);
      this.servers.booted(server, false);
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
