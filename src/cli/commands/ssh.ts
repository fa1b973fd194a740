import { Command, Option } from 'commander';
import { UsageError } from '../../lib/errors.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';
import { wordsAfterDoubleDash } from '../../lib/argv.js';

export interface SshOptions {
  name: string | undefined;
  vm: boolean;
  /** Serve SSH on stdin/stdout into the container: the ProxyCommand of the `NAME.kamal-dev` host. */
  stdio: boolean;
  /** Start a stopped workspace first (its VM powered on where stopped). */
  start: boolean;
  /** The command to run instead of a shell; undefined: an interactive shell. */
  argv: string[] | undefined;
}

export type SshRun = (ctx: Context, options: SshOptions) => Promise<void>;

const sshRun: SshRun = async (ctx, options) => (await import('./ssh-action.js')).sshAction(ctx, options);

/** `kamal-dev ssh NAME [--vm] [-- CMD...]`: a shell (or CMD) in the container, or on its VM, through OpenSSH. */
export function makeSshCommand(ctx: Context, run: SshRun = sshRun): Command {
  return new Command('ssh')
    .description('an interactive shell in a workspace container (or on its VM with --vm), through OpenSSH')
    .usage('[options] NAME [-- CMD [ARGS...]]')
    .argument('[words...]', 'the workspace NAME, then optionally -- and a command')
    .option('--vm', 'on the VM instead of in the container')
    .option('--start', 'start the workspace first when it is stopped (its VM powered on where stopped)')
    .addOption(new Option('--stdio', 'serve SSH on stdin/stdout (the ProxyCommand that ssh-config writes)').hideHelp())
    .addHelpText('after', examples(['kamal-dev ssh myapp-dev-1', "kamal-dev ssh myapp-dev-1 -- sh -c 'exit 5'   # exits 5", 'kamal-dev ssh myapp-dev-1 --vm']))
    .action((words: string[], options: { vm?: boolean; stdio?: boolean; start?: boolean }) => {
      const after = wordsAfterDoubleDash(ctx.argv);
      const before = words.slice(0, words.length - (after?.length ?? 0));
      if (before.length > 1) throw new UsageError(`ssh: one workspace NAME, then -- before a command (got ${before.join(' ')})`);
      if (after !== undefined && after.length === 0) throw new UsageError('ssh: no command after --');
      return run(ctx, { name: before[0], vm: Boolean(options.vm), stdio: Boolean(options.stdio), start: Boolean(options.start), argv: after });
    });
}
