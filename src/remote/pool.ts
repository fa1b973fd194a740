import { connectSsh, type SshConnectOptions, type SshExecutor } from './ssh-executor.js';

type Connect = (options: SshConnectOptions) => Promise<{ executor: SshExecutor; hostKey: string }>;

/**
 * One connection per host for a whole kamal-dev run: every command and upload for a host reuses it.
 * Concurrent requests for the same host share one connection attempt. A lost connection is replaced on the
 * next request, pinned to the host key the first connection saw. `closeAll()` ends them (each command does, once).
 */
export class ExecutorPool {
  readonly #connections = new Map<string, Promise<SshExecutor>>();
  readonly #seenKeys = new Map<string, string>();

  constructor(private readonly connect: Connect = connectSsh) {}

  get(options: SshConnectOptions): Promise<SshExecutor> {
    const key = keyOf(options);
    const existing = this.#connections.get(key);
    if (existing) {
      return existing.then((executor) => {
        if (executor.alive) return executor;
        return this.#connections.get(key) === existing ? this.#open(key, options) : this.get(options);
      });
    }
    return this.#open(key, options);
  }

  /** Makes an already open connection (from waitForSsh) the one reused for its host. */
  adopt(options: SshConnectOptions, connection: { executor: SshExecutor; hostKey: string }): void {
    const key = keyOf(options);
    this.#seenKeys.set(key, connection.hostKey);
    this.#connections.set(key, Promise.resolve(connection.executor));
  }

  /** The host key fingerprint the first connection to this host saw. */
  hostKey(options: Pick<SshConnectOptions, 'host' | 'port' | 'user'>): string | undefined {
    return this.#seenKeys.get(keyOf(options));
  }

  async closeAll(): Promise<void> {
    const pending = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.allSettled(pending.map(async (connection) => (await connection).close()));
  }

  #open(key: string, options: SshConnectOptions): Promise<SshExecutor> {
    const pinnedHostKey = options.pinnedHostKey ?? this.#seenKeys.get(key);
    const opening = this.connect({ ...options, pinnedHostKey }).then(({ executor, hostKey }) => {
      this.#seenKeys.set(key, hostKey);
      return executor;
    });
    this.#connections.set(key, opening);
    opening.catch(() => {
      if (this.#connections.get(key) === opening) this.#connections.delete(key);
    });
    return opening;
  }
}

function keyOf(options: Pick<SshConnectOptions, 'host' | 'port' | 'user'>): string {
  return `${options.user ?? 'root'}@${options.host}:${options.port ?? 22}`;
}
