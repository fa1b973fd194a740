import type { Entry, NewEntry, State } from './schema.js';

/** The state operations the lifecycle uses (docs/state.md); src/state/store.ts implements them on the file. */
export interface StateAccess {
  read(): Promise<State>;
  /** Read-modify-write under the state lock; `fn` must be quick and do no I/O of its own. */
  update<T>(fn: (state: State) => T): Promise<T>;
  /** Merges `changes` into the entry `name` (an undefined value drops that key). */
  patch(name: string, changes: Partial<Entry>): Promise<void>;
  remove(name: string): Promise<void>;
  /** Records a `provisioning` entry for each of the `count` lowest free indexes; returns their names. */
  reserve(service: string, pattern: string, count: number, make: (name: string, index: number) => NewEntry): Promise<string[]>;
  /**
   * Runs `fn` holding the project's deploy lock, so that two commands that create or destroy VMs never plan
   * from the same state at once (docs/state.md#the-deploy-lock). A second one waits, told who holds it.
   */
  exclusive<T>(fn: () => Promise<T>, onWait: (holder: string) => void): Promise<T>;
}

export type { Entry, NewEntry, State };
