import type { Entry } from '../../src/state/schema.js';
import type { StateStore } from '../../src/state/store.js';

/** Records `entry` under `name` through the store's locked update (what the tests set up a state with). */
export function put(store: StateStore, name: string, entry: Entry): Promise<void> {
  return store.update((state) => {
    state.deployments[name] = entry;
  });
}
