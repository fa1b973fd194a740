import type { Argv } from './executor.js';
import { quoteArgv } from './quote.js';

/**
 * Composition of commands without string concatenation: each helper returns an ordinary Argv,
 * `['sh', '-c', '<a> && <b>']`, whose inner text is built from quoted words only. The executor quotes
 * that Argv once more, so the remote login shell receives a single `sh -c '<composed>'`.
 */
function compose(operator: '&&' | '||' | '|', argvs: readonly Argv[]): Argv {
  if (argvs.length === 0) throw new Error(`cannot compose zero commands with ${operator}`);
  return ['sh', '-c', argvs.map((argv) => quoteArgv(argv)).join(` ${operator} `)];
}

/** Runs each command while the previous ones succeed (`a && b && c`). */
export function and(...argvs: readonly Argv[]): Argv {
  return compose('&&', argvs);
}

/** Runs each command until one succeeds (`a || b || c`). */
export function or(...argvs: readonly Argv[]): Argv {
  return compose('||', argvs);
}

/** Connects stdout of each command to stdin of the next (`a | b | c`); the exit code is the last one's. */
export function pipe(...argvs: readonly Argv[]): Argv {
  return compose('|', argvs);
}

/** Appends stdin to `path` (mode 0600, its folder created): the content never reaches a command line. */
export function appendStdin(path: string): Argv {
  return ['sh', '-c', 'umask 077 && mkdir -p "$(dirname "$1")" && cat >> "$1"', 'sh', path];
}

/**
 * Writes stdin to `path` (mode 0600, its folder created), then runs argv: a file and the command that reads it
 * in one round trip, the content on no command line. `path` may be relative to the SSH user's home.
 */
export function stdinToFileThen(path: string, argv: Argv): Argv {
  return ['sh', '-c', 'umask 077 && mkdir -p "$(dirname "$0")" && cat > "$0" && exec "$@"', path, ...argv];
}
