import type { LifecycleDeps } from './ports.js';

/** Runs `fn` under the project's deploy lock, saying so when another command holds it (docs/state.md#the-deploy-lock). */
export function exclusively<T>(deps: Pick<LifecycleDeps, 'state' | 'notices'>, fn: () => Promise<T>): Promise<T> {
  return deps.state.exclusive(fn, (holder) => deps.notices.info(`Another deploy or remove of this project is running (${holder}); waiting for it to finish`));
}
