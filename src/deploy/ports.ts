import type { Provider } from '../providers/provider.js';
import type { Executor } from '../remote/executor.js';
import type { StateAccess } from '../state/access.js';
import type { EventSink } from './events.js';
import type { IdleSettings } from './idle-watcher.js';

export interface Connection {
  executor: Executor;
  /** SHA256 fingerprint of the host key seen (to pin). */
  hostKey: string;
}

/** SSH for one kamal-dev run: one connection per host, reused by every step; `closeAll` ends them. */
export interface Connector {
  /**
   * Waits for SSH on a new VM (or connects to a known one), refusing a host key other than `pinned`: a
   * ConnectionError naming both fingerprints.
   */
  connect(ip: string, pinned: string | undefined, options: { signal: AbortSignal; timeoutMs: number }): Promise<Connection>;
  closeAll(): Promise<void>;
}

/** Messages for people that are not progress (warnings, --verbose details). */
export interface Notices {
  info(text: string): void;
  warn(text: string): void;
  verbose(text: string): void;
}

export interface LifecycleSettings {
  /** URL of the Docker install script (KAMAL_DEV_DOCKER_INSTALL_URL, default https://get.docker.com). */
  dockerInstallUrl: string;
  pollIntervalMs: number;
  bootTimeoutMs: number;
  /** How long a new VM may take to accept SSH. */
  sshTimeoutMs: number;
  /** Workspaces worked on at once. */
  concurrency: number;
  /** How the idle watcher powers a VM off, when dev.yml sets idle_timeout. */
  idle: IdleSettings;
  /** KAMAL_DEV_INSECURE_REGISTRIES: registries (`host:port`) reached over plain HTTP. */
  insecureRegistries?: readonly string[];
}

/** Everything the lifecycle operations use: interfaces only, built in src/cli (or by tests, with fakes). */
export interface LifecycleDeps {
  provider: Provider;
  state: StateAccess;
  connector: Connector;
  events: EventSink;
  notices: Notices;
  now: () => Date;
  signal: AbortSignal;
  settings: LifecycleSettings;
}
