import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * Starts a long-running daemon in its own session with its output appended to `logFile`, not tied to this
 * process: if this process is killed the daemon stays, and the next instance's leftover sweep finds it by the
 * instance folder on its command line.
 */
export function spawnDaemon(file: string, args: string[], logFile: string): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`could not start ${file}`);
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}
