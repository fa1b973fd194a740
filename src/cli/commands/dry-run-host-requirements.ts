import type { LoadedSecrets } from '../../config/secrets.js';
import { namingConfigFile } from '../../deploy/deploy.js';
import type { ServicePlan } from '../../deploy/workspace.js';
import { hasHostRequirements, hostRequirements, planFromName, planShortfalls, smallestFittingPlan } from '../../devcontainer/host-requirements.js';
import { AppError, CredentialsMissingError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import type { Plan } from '../../providers/provider.js';
import type { Context } from '../context.js';

type Checked = { plan: Plan; plans: readonly Plan[] | undefined; why?: undefined } | { plan?: undefined; why: string };

/** The provider's plan and plan list with credentials; else what the plan's name says; else why not. */
async function chosenPlan(ctx: Context, service: ServicePlan, secrets: LoadedSecrets): Promise<Checked> {
  const { provider: config } = service.config.config;
  try {
    const provider = await ctx.provider(service.config, secrets);
    const plan = await namingConfigFile(service.config, provider.checkPlacement(ctx.signal));
    return { plan, plans: await provider.plans(ctx.signal) };
  } catch (error) {
    if (!(error instanceof CredentialsMissingError) && !(error instanceof AppError && error.exitCode === ExitCode.failed)) throw error;
    const name = 'plan' in config && typeof config.plan === 'string' ? config.plan : undefined;
    const fromName = name === undefined ? undefined : planFromName(name);
    if (fromName) return { plan: { ...fromName, storageGb: Number.POSITIVE_INFINITY }, plans: undefined };
    return { why: error instanceof CredentialsMissingError ? 'no provider credentials, and the plan name does not say its size' : (error as Error).message };
  }
}

/**
 * A dry run's check of devcontainer.json's hostRequirements against the plan: a warning naming what the plan
 * lacks (and a plan that fits, when the plan list could be read), or why it could not be checked.
 */
export async function dryRunHostRequirements(ctx: Context, service: ServicePlan, secrets: LoadedSecrets): Promise<void> {
  const req = hostRequirements(service.devcontainer.json);
  if (!hasHostRequirements(req)) return;
  if (service.config.config.provider.type === 'ssh') return ctx.log.info('hostRequirements: not checked against your own hosts (their size is not known)');
  const of = `hostRequirements of ${service.devcontainer.file}`;
  const checked = await chosenPlan(ctx, service, secrets);
  if (checked.plan === undefined) return ctx.log.warn(`${of}: not checked (${checked.why})`);
  const { plan, plans } = checked;
  const lacking = planShortfalls(req, plan);
  const storage = plans === undefined && req.storageGb !== undefined ? '; storage not checked (read from the plan name)' : '';
  if (lacking.length === 0) return ctx.log.info(`${of}: met by plan ${plan.name}${storage}`);
  const fits = plans === undefined ? undefined : smallestFittingPlan(req, plans);
  ctx.log.warn(`${of}: plan ${plan.name} has ${lacking.join(' and ')}; a deploy would stop here${fits ? ` (a plan that fits: ${fits.name})` : ''}${storage}`);
}
