// eslint-disable-next-line no-restricted-imports -- layer violation, fixed by the middle-layer refactor
import type { Argv } from '../remote/executor.js';
import type { CommandJson } from './schema.js';

/** One command of a lifecycle hook: string form runs through `/bin/sh -c`, array form is exec'd as is. */
export interface HookCommand {
  /** The entry's key in object form; undefined for string and array forms. */
  name: string | undefined;
  argv: Argv;
}

/** Commands of one hook that run in parallel (object form), or a single command. Empty: nothing to run. */
export type HookGroup = readonly HookCommand[];

function toArgv(command: string | readonly string[]): Argv | undefined {
  if (typeof command === 'string') return command.trim() === '' ? undefined : ['/bin/sh', '-c', command];
  return command.length === 0 ? undefined : [...command];
}

/** Normalises a lifecycle property into the commands to run (in parallel when there are several). */
export function hookGroup(command: CommandJson | undefined): HookGroup {
  if (command === undefined) return [];
  if (typeof command === 'string' || Array.isArray(command)) {
    const argv = toArgv(command);
    return argv ? [{ name: undefined, argv }] : [];
  }
  const out: HookCommand[] = [];
  for (const [name, entry] of Object.entries(command)) {
    const argv = toArgv(entry);
    if (argv) out.push({ name, argv });
  }
  return out;
}
