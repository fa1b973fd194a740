import type { Context } from '../context.js';
import { runningTargets } from '../targets.js';
import { attachInteractive } from './attach-action.js';
import type { SshOptions } from './ssh.js';

/** `ssh`'s action: a terminal when stdin is one (`ssh -t`), postAttachCommand first, then the shell or the command. */
export async function sshAction(ctx: Context, o: SshOptions): Promise<void> {
  const { targets } = await runningTargets(ctx, 'ssh', { name: o.name, start: o.start });
  const target = targets[0]!;
  if (o.stdio) return (await import('./ssh-stdio-action.js')).sshStdioAction(ctx, target);
  await attachInteractive(ctx, target, o.argv, { tty: Boolean(ctx.io.stdin.isTTY), postAttach: true, vm: o.vm });
}
