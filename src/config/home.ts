import { homedir } from 'node:os';
import path from 'node:path';

/** `~` and `~/…` as the user's home folder. */
export function expandHome(p: string, home = homedir()): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}
