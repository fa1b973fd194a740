import { AppError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import type { CostEstimate, Provider } from '../providers/provider.js';
import { errorMessage } from './runner.js';

/**
 * The price of `count` new VMs, or undefined (with a warning) when the price list cannot be read. A
 * configuration or credentials error is not swallowed: it stops the command.
 */
export async function estimateCost(provider: Provider, count: number, warn: (text: string) => void, signal?: AbortSignal): Promise<CostEstimate | undefined> {
  try {
    return await provider.estimateCost(count, signal);
  } catch (error) {
    if (error instanceof AppError && error.exitCode !== ExitCode.failed) throw error;
    warn(`could not read the price list: ${errorMessage(error)}`);
    return undefined;
  }
}

/** The cost line shown before VMs are created. */
export function costLine(provider: Provider, count: number, cost: CostEstimate | undefined): string {
  const { zone, plan } = provider.placement;
  if (provider.ownHosts) return 'Cost: none, your own hosts';
  if (!cost) return `Deploying ${count} VM(s) with plan ${plan} in zone ${zone}. Check pricing for accurate costs: ${provider.pricingUrl}`;
  const { hourly, monthly, currency, hoursPerMonth } = cost;
  return `Cost: ${count} new VM(s) of ${plan} in ${zone}: ${hourly.toFixed(5)} ${currency}/hour, ${monthly.toFixed(2)} ${currency}/month (${hoursPerMonth} h)`;
}
