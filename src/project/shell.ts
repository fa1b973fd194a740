import { execFile } from 'node:child_process';
import type { CommandRunner } from '../config/secrets-expand.js';

/**
 * `$(command)` of a secrets file: `sh -c` in the project folder, no stdin (a command must never wait for a
 * prompt nobody sees), a timeout. A failure says why in words of its own, never with the command's output,
 * which may hold the command (with variables expanded) or a secret.
 */
export const shellCommandRunner: CommandRunner = (command, options) =>
  new Promise((resolve) => {
    const child = execFile(
      'sh',
      ['-c', command],
      {
        cwd: options.cwd,
        env: options.env as NodeJS.ProcessEnv,
        encoding: 'utf8',
        timeout: options.timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout) => {
        if (!error) return resolve({ stdout });
        const err = error as NodeJS.ErrnoException & { code?: number | string | null; killed?: boolean; signal?: string | null };
        const why = err.killed
          ? 'timed out'
          : typeof err.code === 'number'
            ? `exited with ${err.code}`
            : err.signal
              ? `was killed by ${err.signal}`
              : `could not run (${typeof err.code === 'string' ? err.code : 'unknown error'})`;
        resolve({ failure: why });
      },
    );
    child.stdin?.end();
  });
