import { ProviderError } from '../../lib/errors.js';
import type { CostEstimate, HourlyRates } from '../provider.js';
import type { UpcloudPlan } from './catalog.js';
import type { PriceZone } from './schemas.js';

/** UpCloud bills at most 28 days (672 hours) a month. */
export const HOURS_PER_MONTH = 672;

/**
 * Price list figures have at most 4 decimals of a cent, so they are turned into integers of 1e-6 cent and all
 * sums are exact. Hourly figures are then converted once (no rounding beyond the float division); the monthly
 * total is rounded half-up to whole cents: 3 x 1.488 c/h -> 0.04464/h, 2999.808 c/month -> 30.00.
 */
const MICRO = 1_000_000;

function micro(cents: number): number {
  return Math.round(cents * MICRO);
}

export interface CostInput {
  plan: UpcloudPlan;
  zone: string;
  count: number;
  diskSizeGb: number | undefined;
  prices: PriceZone;
  currency: string | undefined;
}

function item(prices: PriceZone, key: string, zone: string): { amount: number; price: number } {
  const found = prices[key];
  if (found === undefined || typeof found === 'string') throw new ProviderError(`UpCloud price list has no ${key} price in zone ${zone}`);
  return found;
}

/** The plan's hourly price, plus the disk beyond the plan's at its tier's price per GiB. */
function startedMicro(plan: UpcloudPlan, prices: PriceZone, zone: string, diskSizeGb: number | undefined): number {
  const planPrice = prices[`server_plan_${plan.name}`];
  if (planPrice === undefined || typeof planPrice === 'string') {
    throw new ProviderError(`UpCloud price list has no price for plan ${plan.name} in zone ${zone}`);
  }
  let perVmMicro = micro(planPrice.price) / planPrice.amount;
  const extraGb = Math.max(0, (diskSizeGb ?? plan.storageGb) - plan.storageGb);
  if (extraGb > 0) {
    const storage = item(prices, `storage_${plan.storageTier ?? 'maxiops'}`, zone);
    perVmMicro += (extraGb * micro(storage.price)) / storage.amount;
  }
  return Math.round(perVmMicro);
}

/** A stopped plan server is billed as a started one (docs/costs.md#upcloud). */
export function ratesFromPrices(input: Omit<CostInput, 'count'>): HourlyRates {
  const started = startedMicro(input.plan, input.prices, input.zone, input.diskSizeGb);
  return { currency: input.currency ?? 'EUR', startedMicroCents: started, stoppedMicroCents: started };
}

export function estimateFromPrices(input: CostInput): CostEstimate {
  const perVmMicro = startedMicro(input.plan, input.prices, input.zone, input.diskSizeGb);
  const totalMicro = perVmMicro * input.count;

  return {
    currency: input.currency ?? 'EUR',
    newVms: input.count,
    perVmHourly: perVmMicro / (100 * MICRO),
    hourly: totalMicro / (100 * MICRO),
    monthly: Math.round((totalMicro * HOURS_PER_MONTH) / MICRO) / 100,
    hoursPerMonth: HOURS_PER_MONTH,
  };
}
