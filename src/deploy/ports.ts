import type { Argv, Executor } from '../remote/executor.js';
import type { Provider } from '../providers/provider.js';
import type { Entry, State } from '../state/schema.js';
import type { Progress } from '../ui/progress.js';
import type { Logger } from '../ui/logger.js';

/** The state operations the lifecycle needs (implemented by src/state/store.ts). */
export interface StateAccess {
  read(): Promise<State>;
  reserve(service: string, pattern: string, count: number, make: (name: string, index: number) => Entry): Promise<string[]>;
  patch(name: string, changes: Partial<Entry>): Promise<void>;
  remove(name: string): Promise<void>;
  update<T>(fn: (state: State) => T): Promise<T>;
}

/** What to run for one workspace on its VM, once the SSH user's home folder is known. */
export interface WorkspaceRun {
  name: string;
  containerName: string;
  image: string;
  specHash: string;
  dockerRun: Argv;
  envFile: { path: string; content: string };
  workspaceDir: string;
  /** Groups run one after another; the commands of a group run in parallel. */
  onCreate: Argv[][];
  postStart: Argv[][];
  /** Container ports published with a docker-chosen host port (shared VM), to read back after the run. */
  dynamicPorts: number[];
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
  concurrency: number;
}
