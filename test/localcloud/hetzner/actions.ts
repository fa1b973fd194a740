/** Hetzner actions as the emulator keeps them: running until the emulator finishes them. */
export interface ActionRecord {
  id: number;
  command: string;
  status: 'running' | 'success' | 'error';
  progress: number;
  started: string;
  finished: string | null;
  resources: Array<{ id: number; type: string }>;
  error: { code: string; message: string } | null;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** IDs start above 2^32, as real ones do (up to 52 bits), to catch 32-bit arithmetic in a client. */
export class ActionTable {
  readonly #actions = new Map<number, ActionRecord>();
  #next = 2 ** 32 + 1_000;

  start(command: string, serverId: number): ActionRecord {
    const action: ActionRecord = {
      id: this.#next++,
      command,
      status: 'running',
      progress: 0,
      started: now(),
      finished: null,
      resources: [{ id: serverId, type: 'server' }],
      error: null,
    };
    this.#actions.set(action.id, action);
    return action;
  }

  /** An action that was over the moment it began (e.g. poweron of a running server). */
  done(command: string, serverId: number): ActionRecord {
    const action = this.start(command, serverId);
    this.finish(action);
    return action;
  }

  finish(action: ActionRecord, error?: { code: string; message: string }): void {
    action.status = error ? 'error' : 'success';
    action.progress = 100;
    action.finished = now();
    action.error = error ?? null;
  }

  get(id: number): ActionRecord | undefined {
    return this.#actions.get(id);
  }

  /** Whether the server has an action still running: other mutating calls on it are `423 locked`. */
  busy(serverId: number): boolean {
    for (const action of this.#actions.values()) {
      if (action.status === 'running' && action.resources.some((r) => r.id === serverId)) return true;
    }
    return false;
  }
}

export { now as timestamp };
