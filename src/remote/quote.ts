import type { Argv } from './executor.js';

// Bare words need no quoting in sh, bash or zsh (a leading = is special in zsh, so it is quoted).
const SAFE = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/** One argument as a POSIX shell word: left bare when it is safe, else single-quoted ('\'' for a quote). */
export function quote(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** An argv as one POSIX shell command line that a shell splits back into exactly these arguments. */
export function quoteArgv(argv: Argv): string {
  return argv.map(quote).join(' ');
}
