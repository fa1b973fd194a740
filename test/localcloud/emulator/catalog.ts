import plans from './data/plans.json' with { type: 'json' };
import prices from './data/prices.json' with { type: 'json' };
import templates from './data/templates.json' with { type: 'json' };
import zones from './data/zones.json' with { type: 'json' };

/**
 * The emulator's static catalogue. Plans, zones and prices are the recorded 2020 lists (upcloud-go-api
 * fixtures getplans/getzones/getpricezones); templates are the public cloud-init and native images named in
 * the API reference.
 */
export interface Plan {
  name: string;
  core_number: number;
  memory_amount: number;
  public_traffic_out: number;
  storage_size: number;
  storage_tier: string;
}

export interface Template {
  uuid: string;
  title: string;
  size: number;
  template_type: string;
  labels: { key: string; value: string }[];
}

export const PLANS: readonly Plan[] = plans.plan;
export const ZONES: readonly { id: string; description: string; public: string }[] = zones.zone;
export const PRICE_ZONES: readonly Record<string, unknown>[] = prices.zone;
export const TEMPLATES: readonly (Template & Record<string, unknown>)[] = templates.storage;

export function findPlan(name: string): Plan | undefined {
  return PLANS.find((p) => p.name === name);
}

export function findZone(id: string): boolean {
  return ZONES.some((z) => z.id === id);
}

export function findTemplate(uuid: string): Template | undefined {
  return TEMPLATES.find((t) => t.uuid === uuid);
}
