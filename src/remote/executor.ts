/** The one seam between kamal-dev and remote hosts. The ssh2 implementation lives beside this file. */

import type { Argv } from '../lib/argv.js';

export type { Argv };

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The command line as run, secrets redacted (for messages); set by implementations that quote. */
  command?: string;
}

export interface RunOptions {
  stdin?: string | Buffer;
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface Executor {
  readonly host: string;
  /** Runs argv (quoted once, here) on the host. Never throws for a non-zero exit. */
  run(argv: Argv, options?: RunOptions): Promise<ExecResult>;
  /** Writes `content` to `path` with `mode`, creating parent folders; the mode is set before any content is written. */
  upload(path: string, content: string | Buffer, mode: number): Promise<void>;
  close(): Promise<void>;
  /** Hides the run's secrets in text about to be shown (command lines, stderr); identity when absent. */
  redact?(text: string): string;
}
