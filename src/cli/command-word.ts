import type { Command } from 'commander';

/** The command word of `argv` (its index) and the values of the global options before it, read as commander would. */
export function commandWord(program: Command, argv: readonly string[]): { at: number; values: Record<string, string> } | undefined {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i]!;
    if (word === '--') return undefined;
    if (!word.startsWith('-') || word === '-') return { at: i, values };
    const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const short = !flag.startsWith('--') && flag.length > 2 ? flag.slice(0, 2) : undefined;
    const option = program.options.find((o) => o.long === flag || o.short === flag || (short !== undefined && o.short === short));
    if (!option || !(option.required || option.optional)) continue;
    const value = inline ?? (short !== undefined ? flag.slice(2) : argv[(i += 1)]);
    if (value !== undefined) values[option.attributeName()] = value;
  }
  return undefined;
}
