import { Command } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

export type SshConfigRun = (ctx: Context, names: string[]) => Promise<void>;

const sshConfigRun: SshConfigRun = async (ctx, names) => (await import('./ssh-config-action.js')).sshConfigAction(ctx, names);

/** `kamal-dev ssh-config [NAME...]`: OpenSSH hosts `NAME.kamal-dev` (the container) and `NAME.vm.kamal-dev` (its VM). */
export function makeSshConfigCommand(ctx: Context, run: SshConfigRun = sshConfigRun): Command {
  return new Command('ssh-config')
    .description('print OpenSSH configuration for the running workspaces: NAME.kamal-dev (container), NAME.vm.kamal-dev (VM)')
    .argument('[names...]', 'the workspaces (default: every running one)')
    .addHelpText(
      'after',
      examples([
        'kamal-dev ssh-config > ~/.ssh/kamal-dev.conf     # then "Include kamal-dev.conf" at the TOP of ~/.ssh/config',
        'ssh myapp-dev-1.kamal-dev',
      ]),
    )
    .action((names: string[]) => run(ctx, names));
}
