import { spawn } from 'node:child_process';
import type { PlanInputs } from '../../deploy/plan-inputs.js';
import type { DeployPlan } from '../../deploy/plan.js';
import { applyWorkspaces, provisioningEntry, type Target, type VmSpec, type WorkspaceResult } from '../../deploy/apply.js';
import { buildWorkspacePlan } from '../../deploy/workspace.js';
import { defaultHome } from '../../deploy/workspace-paths.js';
import { indexOfName } from '../../config/naming.js';
import { hostRequirements, planShortfalls, smallestFittingPlan } from '../../devcontainer/host-requirements.js';
import { AppError, CancelledError, ConfigError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import type { CostEstimate, Provider } from '../../providers/provider.js';
import type { StateStore } from '../../state/store.js';
import { confirm } from '../../ui/prompt.js';
import type { Context } from '../context.js';
import { namingConfigFile } from '../provider-factory.js';
import { openSession } from '../session.js';
import { printDeployResults } from './deploy-output.js';

export interface ApplyOptions {
  yes: boolean;
  skipCostCheck: boolean;
  format: 'text' | 'json';
}

const PRICING_URL = 'https://upcloud.com/pricing';

/** The plan must meet the devcontainer's hostRequirements; a plan that is too small names one that fits. */
async function checkHostRequirements(ctx: Context, provider: Provider, inputs: PlanInputs): Promise<void> {
  const { zone, plan, disk_size: disk } = ctx.config().config.provider;
  const chosen = await namingConfigFile(ctx.config().file, provider.checkPlacement(zone, plan, ctx.signal));
  const req = hostRequirements(inputs.devcontainer.json);
  const lacking = planShortfalls(req, chosen, disk);
  if (lacking.length === 0) return;
  const fits = smallestFittingPlan(req, await provider.plans(ctx.signal));
  throw new ConfigError(`${ctx.config().file}: provider.plan: ${plan} has ${lacking.join(' and ')} (hostRequirements of ${inputs.devcontainer.file})`, {
    hint: fits ? `A plan that fits: ${fits.name}.` : 'No plan of the provider fits these requirements.',
  });
}

/** Price of the new VMs, or undefined when the price list cannot be read (the gem's fallback is shown then). */
async function estimate(ctx: Context, provider: Provider, newVms: number): Promise<CostEstimate | undefined> {
  const { zone, plan, disk_size: disk } = ctx.config().config.provider;
  try {
    return await provider.estimateCost({ plan, zone, count: newVms, diskSizeGb: disk }, ctx.signal);
  } catch (error) {
    if (error instanceof AppError && error.exitCode !== ExitCode.failed) throw error;
    ctx.log.warn(`could not read the price list: ${(error as Error).message}`);
    return undefined;
  }
}

async function confirmCost(ctx: Context, plan: DeployPlan, provider: Provider, options: ApplyOptions): Promise<void> {
  if (plan.newVms === 0) return;
  const { zone, plan: size } = ctx.config().config.provider;
  if (!options.skipCostCheck) {
    const cost = await estimate(ctx, provider, plan.newVms);
    ctx.log.info(
      cost
        ? `Cost: ${plan.newVms} new VM(s) of ${size} in ${zone}: ${cost.hourly.toFixed(5)} ${cost.currency}/hour, ${cost.monthly.toFixed(2)} ${cost.currency}/month (672 h)`
        : `Deploying ${plan.newVms} VM(s) with plan ${size} in zone ${zone}. Check pricing for accurate costs: ${PRICING_URL}`,
    );
  }
  if (options.yes || options.skipCostCheck) return;
  if (!(await confirm(ctx.io, `Create ${plan.newVms} VM(s)? Continue?`, '--yes', ctx.signal))) {
    throw new CancelledError('deploy cancelled; nothing was created', ExitCode.failed);
  }
}

/** devcontainer.json's initializeCommand, on this machine, in the project folder, before anything is created. */
async function runInitialize(ctx: Context, inputs: PlanInputs): Promise<void> {
  const hook = buildWorkspacePlan({ ...planArgs(ctx, inputs), name: 'initialize', index: 0, home: '/' }).lifecycle.initialize;
  for (const command of hook) {
    ctx.log.info(`Running initializeCommand${command.name ? ` (${command.name})` : ''}`);
    const [file, ...args] = command.argv;
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(file!, args, { cwd: ctx.config().root, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject).on('close', (status) => resolve(status ?? 1));
    });
    if (code !== 0) throw new AppError(`initializeCommand exited with ${code}; nothing was created`, ExitCode.failed);
  }
}

function planArgs(ctx: Context, inputs: PlanInputs) {
  return { config: ctx.config(), devcontainer: inputs.devcontainer, secrets: inputs.secrets, placement: { spread: ctx.config().config.vms.spread } };
}

function vmSpec(ctx: Context, publicKey: string): VmSpec {
  const { service, provider, vms } = ctx.config().config;
  return {
    service,
    zone: provider.zone,
    plan: provider.plan,
    storageTemplate: provider.storage_template,
    diskSizeGb: provider.disk_size,
    sshPublicKey: publicKey,
    spread: vms.spread,
  };
}

/** `deploy` for real: cost and confirmation, names reserved under the lock, then every workspace in parallel. */
export async function applyDeploy(ctx: Context, inputs: PlanInputs, plan: DeployPlan, publicKey: string, options: ApplyOptions): Promise<void> {
  const session = await openSession(ctx, inputs.allSecrets);
  const { config } = session;
  const { service, naming } = config.config;
  try {
    await checkHostRequirements(ctx, session.deps.provider, inputs);
    await confirmCost(ctx, plan, session.deps.provider, options);
    await runInitialize(ctx, inputs);
    const spec = vmSpec(ctx, publicKey);
    const missing = plan.workspaces.filter((w) => w.existing === undefined).length;
    const reserved = await session.store.reserve(service, naming.pattern, missing, (name) => provisioningEntry(spec, name));
    const state = await session.store.read();
    const targets: Target[] = [
      ...plan.workspaces.filter((w) => w.existing).map((w) => ({ name: w.workspace.name, index: w.workspace.index, entry: w.existing! })),
      ...reserved.map((name) => ({ name, index: indexOfName(naming.pattern, service, name) ?? 0, entry: state.deployments[name]!, fresh: true })),
    ];
    const args = planArgs(ctx, inputs);
    const results = await applyWorkspaces(spec, targets, (t, home) => buildWorkspacePlan({ ...args, name: t.name, index: t.index, home }), session.deps);
    session.deps.progress.done();
    await forgetUnstarted(session.store, results, reserved);
    const home = defaultHome(config.config.ssh.user);
    printDeployResults(ctx, service, results, options.format, (name) => {
      const target = targets.find((t) => t.name === name)!;
      const workspace = buildWorkspacePlan({ ...args, name, index: target.index, home });
      const vm = plan.workspaces.find((w) => w.workspace.name === name)?.vm;
      return {
        vm: { action: vm?.action ?? 'create', zone: target.entry.zone ?? spec.zone, plan: target.entry.plan ?? spec.plan },
        docker_run: workspace.dockerRun,
        env_file_keys: workspace.envFileKeys,
      };
    });
    if (ctx.signal.aborted) throw new CancelledError('interrupted: every VM created so far is recorded in the state');
    if (results.some((r) => r.status !== 'running')) ctx.exitCode = ExitCode.failed;
  } finally {
    await session.close();
  }
}

/** Reserved names that never got as far as a create request (Ctrl-C) are dropped: nothing exists for them. */
async function forgetUnstarted(store: StateStore, results: readonly WorkspaceResult[], reserved: readonly string[]): Promise<void> {
  const unstarted = results.filter((r) => r.status === 'provisioning' && !r.vm_id && reserved.includes(r.name)).map((r) => r.name);
  if (unstarted.length === 0) return;
  await store.update((state) => {
    for (const name of unstarted) {
      const entry = state.deployments[name];
      if (entry && !entry.vm_id && entry.status === 'provisioning') delete state.deployments[name];
    }
  });
}
