/** The process streams a command talks to; tests hand in their own. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Questions are asked only when a person can answer them: both stdin and stdout are terminals. */
export function canPrompt(io: Io): boolean {
  return Boolean(io.stdin.isTTY && io.stdout.isTTY);
}
