import path from 'node:path';

/** The state file, relative to the project folder (where kamal-dev runs, as with Kamal). */
export const STATE_FILE = '.kamal/dev_state.yml';

export function statePath(cwd: string): string {
  return path.resolve(cwd, STATE_FILE);
}

/** What the deploy lock is taken on: its directory is `.kamal/dev_state.deploy.lock`, one per state file. */
export function deployLockTarget(stateFile: string): string {
  return `${stateFile.replace(/\.yml$/, '')}.deploy`;
}

/** The lock directory beside the state file (docs/state.md#the-lock). */
export function lockPath(stateFile: string): string {
  return `${stateFile}.lock`;
}
