import { ConfigError } from '../lib/errors.js';

/** Kamal's alias names. */
export const ALIAS_NAME = /^[a-z0-9_-]+$/;

/**
 * An alias's command line as words, split as a POSIX shell would without expanding anything: whitespace
 * separates, single quotes keep everything, double quotes keep all but `\"` and `\\`, a backslash escapes the
 * next character. Undefined when a quote is not closed.
 */
export function splitCommandLine(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) return undefined;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i += 1; i < line.length && line[i] !== '"'; i += 1) {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i += 1;
        text += line[i];
      }
      if (i >= line.length) return undefined;
      word = (word ?? '') + text;
    } else if (c === '\\' && i + 1 < line.length) {
      i += 1;
      word = (word ?? '') + line[i];
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * Every alias of dev.yml as words, checked against the program's commands: an alias may not shadow a command,
 * and its command line must start with one (not with an option or another alias). A problem is a ConfigError (exit 2).
 */
export function aliasCommands(aliases: Readonly<Record<string, string>>, commands: readonly string[], fileOf: (name: string) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, line] of Object.entries(aliases)) {
    const at = `${fileOf(name)}: aliases.${name}`;
    if (commands.includes(name)) throw new ConfigError(`${at}: shadows the command ${name}; an alias needs a name of its own`);
    const words = splitCommandLine(line);
    if (words === undefined) throw new ConfigError(`${at}: a quote is not closed`);
    // Global options may follow the command (`status -d staging`): the first word is the command.
    const command = words[0];
    if (command === undefined || !commands.includes(command)) {
      const got = command === undefined ? 'nothing' : JSON.stringify(command.slice(0, 40));
      throw new ConfigError(`${at}: expected a kamal-dev command line, its first word one of ${commands.join(', ')}; got ${got}`);
    }
    out.set(name, words);
  }
  return out;
}
