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
  /** The local SSH agent forwarded to this one command only (allowed by SshConnectOptions.forwardAgent). */
  forwardAgent?: boolean;
}

/** A remote command with its streams open, for bridging a terminal session (see SshExecutor.open). */
export interface RemoteStream extends NodeJS.ReadWriteStream {
  stderr: NodeJS.ReadableStream;
  setWindow(rows: number, cols: number, height: number, width: number): void;
  on(event: 'exit', listener: (code: number | null, signal?: string) => void): this;
  on(event: string, listener: (...args: never[]) => void): this;
}

export interface Terminal {
  term: string;
  rows: number;
  cols: number;
}

export interface Executor {
  readonly host: string;
  /** The host key the server presented (and the pin allowed), as `<type> <base64>`; for a known_hosts file. */
  readonly hostPublicKey?: string | undefined;
  /** Runs argv (quoted once, here) on the host. Never throws for a non-zero exit. */
  run(argv: Argv, options?: RunOptions): Promise<ExecResult>;
  /** Writes `content` to `path` with `mode`, creating parent folders; the mode is set before any content is written. */
  upload(path: string, content: string | Buffer, mode: number): Promise<void>;
  close(): Promise<void>;
  /** A TCP connection from the host to `address:port` (its loopback, for a private port), tunnelled over SSH. */
  forward?(address: string, port: number): Promise<NodeJS.ReadWriteStream>;
  /** Starts argv with stdin open (and a terminal when given), for a caller that streams it; the caller closes it. */
  open?(argv: Argv, terminal?: Terminal): Promise<RemoteStream>;
  /** Hides the run's secrets in text about to be shown (command lines, stderr); identity when absent. */
  redact?(text: string): string;
}
