import { ProviderError } from '../../lib/errors.js';
import type { CostEstimate, HourlyRates } from '../provider.js';
import type { ServerType } from './schemas.js';

/** Prices arrive as decimal strings with up to 16 decimals; sums are made in integers of 1e-16 and are exact. */
const SCALE = 16;
const UNIT = 10n ** BigInt(SCALE);

export function decimalUnits(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{0,16})\d*)?$/.exec(text.trim());
  if (!match) throw new ProviderError(`Hetzner price list: unreadable price ${JSON.stringify(text)}`);
  return BigInt(match[1]!) * UNIT + BigInt((match[2] ?? '').padEnd(SCALE, '0'));
}

/** Micro-cents (1e-6 cent) of a price in units of 1e-16 currency units, rounded. */
function microCents(units: bigint): number {
  return Number((units + 5n * 10n ** 7n) / 10n ** 8n);
}

/** The hourly gross price of `type` in `location`; Hetzner bills a powered-off server in full (docs/costs.md). */
export function ratesFromServerType(type: ServerType, location: string, currency: string): HourlyRates {
  const price = type.prices.find((p) => p.location === location);
  if (price === undefined) throw new ProviderError(`Hetzner price list has no price for server type ${type.name} in ${location}`);
  const hourly = microCents(decimalUnits(price.price_hourly.gross));
  return { currency, startedMicroCents: hourly, stoppedMicroCents: hourly };
}

function toNumber(units: bigint): number {
  return Number(units) / Number(UNIT);
}

/**
 * The gross price (VAT included, as the account is invoiced) of `count` new servers of `type` in `location`.
 * Hetzner bills the hourly price, capped at the monthly price (docs/configuration.md#provider-hetzner): the
 * monthly figure is that cap, reached after `hoursPerMonth` hours.
 */
export function estimateFromServerType(type: ServerType, location: string, count: number, currency: string): CostEstimate {
  const price = type.prices.find((p) => p.location === location);
  if (price === undefined) throw new ProviderError(`Hetzner price list has no price for server type ${type.name} in ${location}`);
  const hourly = decimalUnits(price.price_hourly.gross);
  const monthly = decimalUnits(price.price_monthly.gross);
  const total = hourly * BigInt(count);
  const hoursToCap = hourly === 0n ? 0 : Number((monthly + hourly - 1n) / hourly);
  return {
    currency,
    newVms: count,
    perVmHourly: toNumber(hourly),
    hourly: toNumber(total),
    monthly: toNumber(monthly * BigInt(count)),
    hoursPerMonth: hoursToCap,
  };
}
