import { FdOutput, isPipeOrFile } from './fd-output.js';

/** The process streams a command talks to; tests hand in their own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Output to a pipe or file is written straight to its descriptor; a terminal (or anything else) gets Node's stream. */
function output(fd: 1 | 2): Io['stdout'] {
  if (isPipeOrFile(fd)) return new FdOutput(fd);
  return fd === 1 ? process.stdout : process.stderr;
}

/**
 * The process's own streams, each made on first use: Node builds process.stdin and friends lazily, and building
 * one (a pipe's socket, a TTY) costs start-up time that a command which never reads stdin should not pay.
 * `onStdout` runs once, when stdout is first used.
 */
export function processIo(onStdout?: (stdout: Io['stdout']) => void): Io {
  let stdout: Io['stdout'] | undefined;
  let stderr: Io['stderr'] | undefined;
  return {
    get stdout() {
      if (!stdout) {
        stdout = output(1);
        onStdout?.(stdout);
      }
      return stdout;
    },
    get stderr() {
      stderr ??= output(2);
      return stderr;
    },
    get stdin() {
      return process.stdin;
    },
  };
}

/** Questions are asked only when a person can answer them: both stdin and stdout are terminals. */
export function canPrompt(io: Io): boolean {
  return Boolean(io.stdin.isTTY && io.stdout.isTTY);
}
