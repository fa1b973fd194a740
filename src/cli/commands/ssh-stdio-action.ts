import { existsSync, readFileSync } from 'node:fs';
import { attach, type AttachTarget } from '../../deploy/exec.js';
import { runHooks } from '../../deploy/hooks.js';
import { workspaceExec } from '../../deploy/workspace.js';
import { ConfigError } from '../../lib/errors.js';
import { serveSshOnStdio } from '../../remote/stdio-server.js';
import { loadAttachPlan } from '../attach-plan.js';
import type { Context } from '../context.js';
import { stdioHostKeyPath } from '../known-hosts.js';
import { withSession } from '../session.js';
import { LOGIN_SHELL } from './attach-action.js';

/**
 * `ssh NAME --stdio`, the ProxyCommand of the `NAME.kamal-dev` host: postAttachCommand, then an SSH server on
 * stdio whose sessions are `docker exec` in the container, over kamal-dev's pinned connection to the VM.
 */
export async function sshStdioAction(ctx: Context, target: AttachTarget): Promise<void> {
  const keyFile = stdioHostKeyPath(ctx.cwd);
  if (!existsSync(keyFile)) throw new ConfigError(`ssh --stdio: ${keyFile} is missing; run kamal-dev ssh-config first`);
  const hostKey = readFileSync(keyFile, 'utf8');
  const { service, allSecrets } = await loadAttachPlan(ctx);
  await withSession(
    ctx,
    async ({ deps }) => {
      const { executor, plan } = await attach(target, service, deps);
      await runHooks(executor, plan, ['postAttach'], ctx.signal);
      if (!executor.open) throw new Error('this connection cannot stream');
      const open = executor.open.bind(executor);
      await serveSshOnStdio({
        hostKey,
        input: ctx.io.stdin,
        output: ctx.io.stdout,
        // OpenSSH sends a command as one line for the remote shell: it runs as `sh -c` in the container.
        start: (command, terminal) => open(workspaceExec(plan, command === undefined ? LOGIN_SHELL : ['/bin/sh', '-c', command], { interactive: true, tty: terminal !== undefined }), terminal),
      });
    },
    { secrets: allSecrets },
  );
}
