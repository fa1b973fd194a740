import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { commandWord } from './command-word.js';
import { invalidDestination } from '../config/destination.js';
import { expandHome } from '../config/home.js';
import { DEFAULT_CONFIG_PATH } from '../config/default-path.js';
import type { Context } from './context.js';

/**
 * `kamal-dev ALIAS [ARGS...]`: the alias's command line of dev.yml in its place, ARGS after it
 * (docs/configuration.md#aliases). Anything else is returned as it is, for commander to run or refuse; so is a
 * word that is no alias when there is no dev.yml to define one.
 */
export async function expandAlias(ctx: Context, program: Command, processArgv: readonly string[]): Promise<readonly string[]> {
  // process.argv's form, as commander parses it: node, the script, then the user's words
  const [node, script, ...argv] = processArgv;
  const found = commandWord(program, argv);
  if (!found) return processArgv;
  const word = argv[found.at]!;
  if (program.commands.some((c) => c.name() === word || c.aliases().includes(word)) || ctx.commandNames.includes(word)) return processArgv;
  const configPath = found.values.config ?? DEFAULT_CONFIG_PATH;
  const destination = found.values.destination;
  if (!existsSync(path.resolve(ctx.cwd, expandHome(configPath, ctx.env.HOME)))) return processArgv;
  if (destination !== undefined && invalidDestination(destination) !== undefined) return processArgv;
  const { loadConfig } = await import('../config/load.js');
  const loaded = loadConfig(configPath, { cwd: ctx.cwd, home: ctx.env.HOME, destination, commands: ctx.commandNames });
  const words = loaded.aliases.get(word);
  return words === undefined ? processArgv : [node!, script!, ...argv.slice(0, found.at), ...words, ...argv.slice(found.at + 1)];
}
