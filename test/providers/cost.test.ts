import { describe, expect, it } from 'vitest';
import { estimateFromPrices, ratesFromPrices } from '../../src/providers/upcloud/cost.js';
import { PriceListResponse } from '../../src/providers/upcloud/schemas.js';
import { recordedBody } from '../fixtures-replay/recordings.js';

const prices = PriceListResponse.parse(JSON.parse(recordedBody('/price'))).prices;
const deFra1 = prices.zone.find((zone) => zone.name === 'de-fra1')!;
const plan = { name: '1xCPU-2GB', cores: 1, memoryMb: 2048, storageGb: 50, storageTier: 'maxiops' };

describe('estimateFromPrices with the recorded 2020 price list', () => {
  it('uses the recorded plan price (1.488 c/h) and storage price (0.031 c/GiB/h)', () => {
    expect(deFra1['server_plan_1xCPU-2GB']).toEqual({ amount: 1, price: 1.488 });
    expect(deFra1.storage_maxiops).toEqual({ amount: 1, price: 0.031 });
  });

  it('3 x 1xCPU-2GB = 0.04464 per hour and 30.00 per 672 h, in EUR when the list names no currency', () => {
    expect(estimateFromPrices({ plan, zone: 'de-fra1', count: 3, diskSizeGb: undefined, prices: deFra1, currency: undefined })).toEqual({
      currency: 'EUR',
      newVms: 3,
      perVmHourly: 0.01488,
      hourly: 0.04464,
      monthly: 30,
      hoursPerMonth: 672,
    });
  });

  it('a disk of the plan size costs nothing extra', () => {
    const estimate = estimateFromPrices({ plan, zone: 'de-fra1', count: 1, diskSizeGb: 50, prices: deFra1, currency: undefined });
    expect([estimate.perVmHourly, estimate.monthly]).toEqual([0.01488, 10]);
  });

  it('charges disk beyond the plan at the storage tier price: 60 GiB = 10 GiB x 0.031 c/h extra', () => {
    const estimate = estimateFromPrices({ plan, zone: 'de-fra1', count: 3, diskSizeGb: 60, prices: deFra1, currency: undefined });
    // (1.488 + 0.31) c/h = 1.798 c/h per VM; x3 = 5.394 c/h; x672 = 3624.768 c -> 36.25
    expect([estimate.perVmHourly, estimate.hourly, estimate.monthly]).toEqual([0.01798, 0.05394, 36.25]);
  });

  it('rounds the month half-up to whole cents: 7 x 0.744 c/h x 672 = 3499.776 c -> 35.00', () => {
    const small = { name: '1xCPU-1GB', cores: 1, memoryMb: 1024, storageGb: 25, storageTier: 'maxiops' };
    const estimate = estimateFromPrices({ plan: small, zone: 'de-fra1', count: 7, diskSizeGb: undefined, prices: deFra1, currency: 'USD' });
    expect([estimate.currency, estimate.hourly, estimate.monthly]).toEqual(['USD', 0.05208, 35]);
  });

  it('zero new VMs cost nothing', () => {
    const estimate = estimateFromPrices({ plan, zone: 'de-fra1', count: 0, diskSizeGb: undefined, prices: deFra1, currency: undefined });
    expect([estimate.hourly, estimate.monthly]).toEqual([0, 0]);
  });

  it('names the plan and zone when the price list lacks the plan', () => {
    const missing = { ...plan, name: 'DEV-1xCPU-1GB' };
    expect(() => estimateFromPrices({ plan: missing, zone: 'de-fra1', count: 1, diskSizeGb: undefined, prices: deFra1, currency: undefined })).toThrow(
      'UpCloud price list has no price for plan DEV-1xCPU-1GB in zone de-fra1',
    );
  });
});

describe('ratesFromPrices: what one VM costs per hour, started and stopped, in micro-cents', () => {
  it('1xCPU-2GB in de-fra1: 1.488 c/h = 1 488 000 micro-cents, and the same when stopped (docs/costs.md#upcloud)', () => {
    expect(ratesFromPrices({ plan, zone: 'de-fra1', diskSizeGb: undefined, prices: deFra1, currency: undefined })).toEqual({
      currency: 'EUR',
      startedMicroCents: 1_488_000,
      stoppedMicroCents: 1_488_000,
    });
  });

  it('a disk beyond the plan counts in both: 60 GiB = 1.798 c/h', () => {
    const rates = ratesFromPrices({ plan, zone: 'de-fra1', diskSizeGb: 60, prices: deFra1, currency: 'EUR' });
    expect([rates.startedMicroCents, rates.stoppedMicroCents]).toEqual([1_798_000, 1_798_000]);
  });
});
