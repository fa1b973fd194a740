/** A command as words, never as a shell string: quoted once, by whoever runs it (src/remote/quote.ts). */
export type Argv = readonly string[];

/** The words after `--` on a command line (commander keeps them as operands without saying where `--` was). */
export function wordsAfterDoubleDash(argv: readonly string[]): string[] | undefined {
  const at = argv.indexOf('--');
  return at < 0 ? undefined : argv.slice(at + 1);
}
