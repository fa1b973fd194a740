/** The process streams a command talks to; tests hand in their own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * The process's own streams, each made on first use: Node builds process.stdin and friends lazily, and building
 * one (a pipe's socket, a TTY) costs start-up time that a command which never reads stdin should not pay.
 * `onStdout` runs once, when stdout is first used.
 */
export function processIo(onStdout?: (stdout: NodeJS.WriteStream) => void): Io {
  let stdout: NodeJS.WriteStream | undefined;
  return {
    get stdout() {
      if (!stdout) {
        stdout = process.stdout;
        onStdout?.(stdout);
      }
      return stdout;
    },
    get stderr() {
      return process.stderr;
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
