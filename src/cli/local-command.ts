import { spawn } from 'node:child_process';
import type { Argv } from '../lib/argv.js';

/** Runs a command on this machine in `cwd` with the user's terminal for its output; resolves its exit code. */
export function runLocal(argv: Argv, cwd: string): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject).on('close', (status) => resolve(status ?? 1));
  });
}
