import { attach, type AttachTarget } from '../../deploy/exec.js';
import { runHooks } from '../../deploy/hooks.js';
import { workspaceExec } from '../../deploy/workspace.js';
import type { Argv } from '../../lib/argv.js';
import { CommandExit } from '../../lib/errors.js';
import { loadAttachPlan } from '../attach-plan.js';
import type { Context } from '../context.js';
import { knownHostsPath, recordHostKey, vmAlias } from '../known-hosts.js';
import { runOpenSsh } from '../openssh.js';
import { withSession } from '../session.js';

/** The container's login shell: bash when the image has it, else sh. */
export const LOGIN_SHELL: Argv = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi'];

/**
 * Into one workspace with the system's OpenSSH client (`ssh`, `exec -i/-t`): first over kamal-dev's own
 * connection, pinned to the deploy's host key, the key is recorded for OpenSSH, remoteEnv uploaded and
 * postAttachCommand run; then OpenSSH, with `StrictHostKeyChecking yes` on that key. Ends with the command's exit code.
 */
export async function attachInteractive(
  ctx: Context,
  target: AttachTarget,
  argv: Argv | undefined,
  options: { tty: boolean; postAttach: boolean; vm?: boolean },
): Promise<never> {
  const { service, allSecrets } = await loadAttachPlan(ctx);
  const config = await ctx.loadConfig();
  const knownHosts = knownHostsPath(ctx.cwd);
  const plan = await withSession(
    ctx,
    async ({ deps }) => {
      const { executor, plan } = await attach(target, service, deps);
      if (executor.hostPublicKey) recordHostKey(knownHosts, new Map([[vmAlias(target.name), executor.hostPublicKey]]));
      if (options.postAttach && !options.vm) await runHooks(executor, plan, ['postAttach'], ctx.signal);
      return plan;
    },
    { secrets: allSecrets },
  );
  const remote = options.vm ? argv : workspaceExec(plan, argv ?? LOGIN_SHELL, { interactive: true, tty: options.tty });
  const code = await runOpenSsh({ config, ip: target.entry.vm_ip!, alias: vmAlias(target.name), knownHosts }, remote, options.tty);
  throw new CommandExit(code);
}
