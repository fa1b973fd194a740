import type { LoadedConfig } from '../config/load.js';
import { indexOfName } from '../config/naming.js';
import { hostRequirements, planShortfalls, smallestFittingPlan } from '../devcontainer/host-requirements.js';
import type { Argv } from '../lib/argv.js';
import { AppError, CancelledError, ConfigError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import { PlacementError, type Provider } from '../providers/provider.js';
import type { StateAccess } from '../state/access.js';
import { applyWorkspaces, provisioningEntry, type Target, type WorkspaceResult } from './apply.js';
import { costLine, estimateCost } from './cost.js';
import { planDeploy, type DeployPlan } from './plan.js';
import { exclusively } from './exclusive.js';
import type { LifecycleDeps } from './ports.js';
import type { ServicePlan } from './workspace.js';

export interface DeployRequest {
  service: ServicePlan;
  count: number;
  sshPublicKey: string;
  /** --yes: create VMs without asking. */
  yes: boolean;
  /** --skip-cost-check: neither the price list nor the question. */
  skipCostCheck: boolean;
}

/** What a deploy asks of this machine besides the lifecycle's ports. */
export interface DeployHost {
  /** A yes/no question; without a terminal it fails naming `flag`. */
  confirm(question: string, flag: string): Promise<boolean>;
  /** Runs a command on this machine in `cwd`, output to the user's terminal; resolves its exit code. */
  runLocal(argv: Argv, cwd: string): Promise<number>;
  /**
   * Once the deploy is confirmed, before initializeCommand and before anything is created (the pre-deploy
   * hook): the workspaces the service will have and the IPs of those that have a VM. Throws to stop the deploy.
   */
  beforeDeploy(workspaces: readonly string[], hosts: readonly string[]): Promise<void>;
}

export interface DeployOutcome {
  plan: DeployPlan;
  results: WorkspaceResult[];
}

/**
 * A location or size the provider does not have is an error of config/dev.yml (or of the destination's file
 * that set it), as every configuration error.
 */
export async function namingConfigFile<T>(config: Pick<LoadedConfig, 'fileOf'>, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof PlacementError) throw new ConfigError(`${config.fileOf(error.key.split('.'))}: ${error.message}`, error.hint ? { hint: error.hint } : {});
    throw error;
  }
}

/** The plan must meet the devcontainer's hostRequirements; a plan that is too small names one that fits. */
async function checkHostRequirements(service: ServicePlan, provider: Provider, signal: AbortSignal): Promise<void> {
  const { config } = service.config;
  const chosen = await namingConfigFile(service.config, provider.checkPlacement(signal));
  const req = hostRequirements(service.devcontainer.json);
  const lacking = planShortfalls(req, chosen);
  if (lacking.length === 0) return;
  const fits = smallestFittingPlan(req, await provider.plans(signal));
  throw new ConfigError(`${service.config.fileOf(['provider', 'plan'])}: provider: ${config.provider.type} plan ${chosen.name} has ${lacking.join(' and ')} (hostRequirements of ${service.devcontainer.file})`, {
    hint: fits ? `A plan that fits: ${fits.name}.` : 'No plan of the provider fits these requirements.',
  });
}

async function confirmCost(plan: DeployPlan, request: DeployRequest, deps: LifecycleDeps, host: DeployHost): Promise<void> {
  if (plan.newVms === 0 || request.skipCostCheck) return;
  if (deps.provider.ownHosts) return deps.notices.info(costLine(deps.provider, plan.newVms, undefined));
  const cost = await estimateCost(deps.provider, plan.newVms, (text) => deps.notices.warn(text), deps.signal);
  deps.notices.info(costLine(deps.provider, plan.newVms, cost));
  if (request.yes) return;
  if (!(await host.confirm(`Create ${plan.newVms} VM(s)? Continue?`, '--yes'))) {
    throw new CancelledError('deploy cancelled; nothing was created', ExitCode.failed);
  }
}

/** devcontainer.json's initializeCommand, on this machine, in the project folder, before anything is created. */
async function runInitialize(service: ServicePlan, deps: LifecycleDeps, host: DeployHost): Promise<void> {
  for (const command of service.initialize) {
    deps.notices.info(`Running initializeCommand${command.name ? ` (${command.name})` : ''}`);
    const code = await host.runLocal(command.argv, service.config.root);
    if (code !== 0) throw new AppError(`initializeCommand exited with ${code}; nothing was created`, ExitCode.failed);
  }
}

/** Reserved names that never got as far as a create request (Ctrl-C) are dropped: nothing exists for them. */
async function forgetUnstarted(state: StateAccess, results: readonly WorkspaceResult[], reserved: readonly string[]): Promise<void> {
  const unstarted = results.filter((r) => r.status === 'provisioning' && !r.vm_id && reserved.includes(r.name)).map((r) => r.name);
  if (unstarted.length === 0) return;
  await state.update((current) => {
    for (const name of unstarted) {
      const entry = current.deployments[name];
      if (entry && !entry.vm_id && entry.status === 'provisioning') delete current.deployments[name];
    }
  });
}

/**
 * `deploy`: makes the service have `count` workspaces (docs/commands.md#deploy). Everything that decides what
 * to create happens under the deploy lock, so that deploys started at once never create more than `count`:
 * the second one waits, then finds the first one's workspaces in the state.
 */
export async function deploy(request: DeployRequest, deps: LifecycleDeps, host: DeployHost): Promise<DeployOutcome> {
  const { service } = request;
  const { service: name, naming } = service.config.config;
  await checkHostRequirements(service, deps.provider, deps.signal);
  return exclusively(deps, async () => {
    const plan = planDeploy({ config: service.config, state: await deps.state.read(), count: request.count, placement: deps.provider.placement });
    for (const warning of plan.warnings) deps.notices.warn(warning);
    await confirmCost(plan, request, deps, host);
    const hosts = plan.workspaces.flatMap((w) => (w.existing?.vm_ip ? [w.existing.vm_ip] : []));
    await host.beforeDeploy(plan.workspaces.map((w) => w.name), hosts);
    await runInitialize(service, deps, host);
    const missing = plan.workspaces.filter((w) => w.existing === undefined).length;
    const reserved = await deps.state.reserve(name, naming.pattern, missing, (workspace) => provisioningEntry(name, deps.provider.placement, workspace));
    const state = await deps.state.read();
    const targets: Target[] = [
      ...plan.workspaces.filter((w) => w.existing).map((w) => ({ name: w.name, index: w.index, entry: w.existing! })),
      ...reserved.map((workspace) => ({ name: workspace, index: indexOfName(naming.pattern, name, workspace) ?? 0, entry: state.deployments[workspace]!, fresh: true })),
    ];
    const results = await applyWorkspaces(service, request.sshPublicKey, targets, deps);
    await forgetUnstarted(deps.state, results, reserved);
    return { plan, results };
  });
}
