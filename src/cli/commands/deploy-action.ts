import { readFile } from 'node:fs/promises';
import { deploy, type DeployHost } from '../../deploy/deploy.js';
import { buildServicePlan } from '../../deploy/workspace.js';
import { sshKeyProblem } from '../../config/load.js';
import { forwardAgentProblem } from '../../config/git-check.js';
import { CancelledError, ConfigError } from '../../lib/errors.js';
import { loadPlanInputs } from '../../project/inputs.js';
import { confirm } from '../../ui/prompt.js';
import type { Context } from '../context.js';
import { runLocal } from '../local-command.js';
import { failIfAny, withSession } from '../session.js';
import type { DeployOptions } from './deploy.js';
import { printDeployResults } from './deploy-output.js';
import { printDryRun } from './deploy-dry-run.js';
import { loadContentPlan } from '../content-plan.js';

/** `deploy`'s action: the inputs and the service's plan, then the dry-run output or the real deploy. */
export async function deployAction(ctx: Context, options: DeployOptions): Promise<void> {
  const config = await ctx.loadConfig();
  const keyProblem = sshKeyProblem(config, ctx.env.SSH_AUTH_SOCK);
  if (keyProblem !== undefined && !options.dryRun) throw new ConfigError(keyProblem);
  if (keyProblem !== undefined) ctx.log.warn(keyProblem);
  const agentProblem = forwardAgentProblem(config.config, (keys) => config.fileOf(keys), ctx.env.SSH_AUTH_SOCK);
  if (agentProblem !== undefined) throw new ConfigError(agentProblem, { hint: 'Start ssh-agent and ssh-add the key the git server knows, or set git.forward_agent: false.' });
  const inputs = await loadPlanInputs({ config, from: options.from, env: ctx.env, cwd: ctx.cwd, signal: ctx.signal });
  const content = await loadContentPlan(config, options);
  const service = { ...buildServicePlan({ config, devcontainer: inputs.devcontainer, secrets: inputs.secrets }), content };
  for (const warning of [...inputs.warnings, ...service.warnings]) ctx.log.warn(warning);
  const count = options.count ?? config.config.vms.count;
  if (options.dryRun) return printDryRun(ctx, service, count, inputs.allSecrets, options.format);

  const sshPublicKey = (await readFile(config.publicKeyPath, 'utf8')).trim();
  await withSession(
    ctx,
    async ({ deps, hooks }) => {
      const host: DeployHost = {
        confirm: (question, flag) => confirm(ctx.io, question, flag, ctx.signal),
        runLocal,
        beforeDeploy: (workspaces, hosts) => hooks.run('pre-deploy', { workspaces, hosts }),
      };
      const outcome = await deploy({ service, count, sshPublicKey, yes: options.yes, skipCostCheck: options.skipCostCheck }, deps, host);
      ctx.endProgress();
      printDeployResults(ctx, outcome, options.format);
      if (ctx.signal.aborted) throw new CancelledError('interrupted: every VM created so far is recorded in the state');
      const failed = outcome.results.filter((r) => r.status !== 'running').map((r) => r.name);
      failIfAny(failed, outcome.results.length, 'not running');
      await hooks.run('post-deploy', { workspaces: outcome.results.map((r) => r.name), hosts: outcome.results.flatMap((r) => r.vm_ip ?? []) });
    },
    { secrets: inputs.allSecrets },
  );
}
