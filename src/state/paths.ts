import path from 'node:path';
import { stateFileName } from '../config/destination.js';

/** The state file of the project folder (where kamal-dev runs, as with Kamal), one per destination. */
export function statePath(cwd: string, destination?: string): string {
  return path.resolve(cwd, stateFileName(destination));
}

/** What the deploy lock is taken on: its directory is `.kamal/dev_state.deploy.lock`, one per state file. */
export function deployLockTarget(stateFile: string): string {
  return `${stateFile.replace(/\.yml$/, '')}.deploy`;
}

/** The lock directory beside the state file (docs/state.md#the-lock). */
export function lockPath(stateFile: string): string {
  return `${stateFile}.lock`;
}
