/**
 * POSIX shell quoting, the one place kamal-dev turns words into shell text.
 * Single quotes keep every byte literal; an embedded ' becomes '\'' (close, escaped quote, reopen).
 */
export function quote(arg: string): string {
  if (arg === '') return "''";
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each word and joins them with spaces: the command line a POSIX shell splits back into `argv`. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}
