import { Command, Option } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/default-path.js';
import { makeConfigCommand } from './commands/config.js';
import { makeDeployCommand } from './commands/deploy.js';
import { makeExecCommand } from './commands/exec.js';
import { makeForwardCommand } from './commands/forward.js';
import { makeLogsCommand } from './commands/logs.js';
import { makeInitCommand } from './commands/init.js';
import { makeListCommand } from './commands/list.js';
import { makePowerCommand } from './commands/power.js';
import { makeRemoveCommand } from './commands/remove.js';
import { makeSshCommand } from './commands/ssh.js';
import { makeSshConfigCommand } from './commands/ssh-config.js';
import { makeStatusCommand } from './commands/status.js';
import { makeSyncCommand } from './commands/sync.js';
import { commandWord } from './command-word.js';
import type { Context } from './context.js';
import { examples } from './examples.js';

/** Every command that works, in the order `--help` lists them. */
const COMMANDS: ReadonlyArray<readonly [name: string, make: (ctx: Context) => Command]> = [
  ['init', (ctx) => makeInitCommand(ctx)],
  ['config', (ctx) => makeConfigCommand(ctx)],
  ['deploy', (ctx) => makeDeployCommand(ctx)],
  ['list', (ctx) => makeListCommand(ctx)],
  ['status', (ctx) => makeStatusCommand(ctx)],
  ['stop', (ctx) => makePowerCommand(ctx, 'stop')],
  ['start', (ctx) => makePowerCommand(ctx, 'start')],
  ['remove', (ctx) => makeRemoveCommand(ctx)],
  ['exec', (ctx) => makeExecCommand(ctx)],
  ['ssh', (ctx) => makeSshCommand(ctx)],
  ['ssh-config', (ctx) => makeSshConfigCommand(ctx)],
  ['logs', (ctx) => makeLogsCommand(ctx)],
  ['forward', (ctx) => makeForwardCommand(ctx)],
  ['sync', (ctx) => makeSyncCommand(ctx)],
];

/** The program's command names, and `help`. */
export const COMMAND_NAMES: readonly string[] = [...COMMANDS.map(([name]) => name), 'help'];

/**
 * The program for the command line `argv` (process.argv's form). When it names a command, only that command
 * is built: building all of them (every option of each) is most of the start of a short command, and only
 * `--help`, a mistyped command and an alias need the others (docs/architecture.md#start-up).
 */
export function buildProgram(ctx: Context, version: string, argv?: readonly string[]): Command {
  const program = new Command('kamal-dev')
    .description('Parallel cloud devcontainer workspaces: provision VMs, run one workspace per VM, track every VM.')
    .version(version, '--version', 'print the version')
    .option('-c, --config <path>', 'configuration file', DEFAULT_CONFIG_PATH)
    .option('-d, --destination <name>', 'destination: merge config/dev.NAME.yml over dev.yml, with its own state, secrets and VMs')
    .option('-H, --skip-hooks', 'do not run the hooks of .kamal/hooks/')
    .option('-v, --verbose', 'show every provider request and remote command (also VERBOSE=1)')
    .option('-q, --quiet', 'print errors and the final result only')
    .addOption(new Option('--progress <mode>', 'progress on stderr: auto (live on a terminal), plain lines, or json events').choices(['auto', 'plain', 'json']).default('auto'))
    .addOption(new Option('--no-color', 'no colours (also NO_COLOR)'))
    .addHelpText('after', examples(['kamal-dev init', 'kamal-dev config --format json']))
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
      outputError: (text, write) => write(`ERROR: ${text.replace(/^error: /, '')}`),
    });
  program.hook('preAction', (_root, action) => ctx.setGlobals(action));
  const found = argv && commandWord(program, argv.slice(2));
  const named = found && COMMANDS.find(([name]) => name === argv[found.at + 2]);
  for (const [, make] of named ? [named] : COMMANDS) {
    program.addCommand(make(ctx).exitOverride().configureOutput(program.configureOutput()));
  }
  ctx.commandNames = COMMAND_NAMES;
  return program;
}
