import { ProviderError } from '../../lib/errors.js';
import type { CostEstimate } from '../provider.js';
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

export function estimateFromPrices(input: CostInput): CostEstimate {
  const { plan, prices } = input;
  const planPrice = prices[`server_plan_${plan.name}`];
  if (planPrice === undefined || typeof planPrice === 'string') {
    throw new ProviderError(`UpCloud price list has no price for plan ${plan.name} in zone ${input.zone}`);
  }
  let perVmMicro = micro(planPrice.price) / planPrice.amount;

  const extraGb = Math.max(0, (input.diskSizeGb ?? plan.storageGb) - plan.storageGb);
  if (extraGb > 0) {
    const tier = plan.storageTier ?? 'maxiops';
    const storage = prices[`storage_${tier}`];
    if (storage === undefined || typeof storage === 'string') {
      throw new ProviderError(`UpCloud price list has no storage_${tier} price in zone ${input.zone}`);
    }
    perVmMicro += (extraGb * micro(storage.price)) / storage.amount;
  }
  perVmMicro = Math.round(perVmMicro);
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
