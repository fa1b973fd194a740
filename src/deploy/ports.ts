import type { Executor } from '../remote/executor.js';
import type { Provider } from '../providers/provider.js';
import type { Entry, State } from '../state/schema.js';
import type { Progress } from '../ui/progress.js';
import type { Logger } from '../ui/logger.js';

/** The state operations the lifecycle needs (implemented by src/state/store.ts). */
export interface StateAccess {
  read(): Promise<State>;
  patch(name: string, changes: Partial<Entry>): Promise<void>;
  remove(name: string): Promise<void>;
  update<T>(fn: (state: State) => T): Promise<T>;
}

export interface Connection {
  executor: Executor;
  /** SHA256 fingerprint of the host key seen (to pin). */
  hostKey: string;
}

export interface LifecycleDeps {
  provider: Provider;
  state: StateAccess;
  /**
   * Waits for SSH on a new VM (or connects to a known one), refusing a host key other than `pinned`. One
   * connection per host for the whole command: the command closes them all at its end.
   */
  connect(ip: string, pinned: string | undefined, options: { signal: AbortSignal; timeoutMs?: number }): Promise<Connection>;
  progress: Progress;
  log: Logger;
  now: () => Date;
  signal: AbortSignal;
  /** URL of the Docker install script (KAMAL_DEV_DOCKER_INSTALL_URL, default https://get.docker.com). */
  dockerInstallUrl: string;
  pollIntervalMs: number;
  bootTimeoutMs: number;
  /** How long a new VM may take to accept SSH (SPEC: 300 s). */
  sshTimeoutMs: number;
  concurrency: number;
}
