import { closest } from '../../lib/closest.js';
import { ConfigError } from '../../lib/errors.js';
import { shown } from '../../lib/shown.js';
import { PlacementError, type Plan } from '../provider.js';
import type { UpcloudApi } from './api.js';

/** A plan with the tier of its included disk (maxiops, standard...; undefined for plans without storage). */
export interface UpcloudPlan extends Plan {
  storageTier: string | undefined;
}

interface Zone {
  id: string;
  public: boolean;
}

/** Plans and zones, read once per provider (they change rarely), to check a zone/plan and name the valid ones. */
export class Catalog {
  #plans: Promise<UpcloudPlan[]> | undefined;
  #zones: Promise<Zone[]> | undefined;

  constructor(private readonly api: UpcloudApi) {}

  plans(signal?: AbortSignal): Promise<UpcloudPlan[]> {
    this.#plans ??= this.api.plans(signal).then((plans) =>
      plans.map((plan) => ({
        name: plan.name,
        cores: plan.core_number,
        memoryMb: plan.memory_amount,
        storageGb: plan.storage_size,
        storageTier: plan.storage_tier ?? undefined,
      })),
    );
    return this.#forgetOnFailure(this.#plans, () => (this.#plans = undefined));
  }

  zones(signal?: AbortSignal): Promise<Zone[]> {
    this.#zones ??= this.api.zones(signal).then((zones) => zones.map((zone) => ({ id: zone.id, public: zone.public === 'yes' })));
    return this.#forgetOnFailure(this.#zones, () => (this.#zones = undefined));
  }

  /** Drops what was read, so the next check asks the API again. */
  forget(): void {
    this.#plans = undefined;
    this.#zones = undefined;
  }

  /** The plan, once zone and plan are both known to UpCloud; otherwise a ConfigError naming the valid ones. */
  async checkPlacement(zone: string, plan: string, signal?: AbortSignal): Promise<UpcloudPlan> {
    const [zones, plans] = await Promise.all([this.zones(signal), this.plans(signal)]);
    if (!zones.some((known) => known.id === zone)) {
      throw unknown('provider.zone', 'zone', zone, zones.filter((known) => known.public).map((known) => known.id));
    }
    const found = plans.find((known) => known.name === plan);
    if (found === undefined) throw unknown('provider.plan', 'plan', plan, plans.map((known) => known.name));
    return found;
  }

  async #forgetOnFailure<T>(promise: Promise<T>, forget: () => void): Promise<T> {
    try {
      return await promise;
    } catch (error) {
      forget();
      throw error;
    }
  }
}

function unknown(key: string, what: string, value: string, valid: string[]): ConfigError {
  const suggestion = closest(value, valid);
  return new PlacementError(key, `unknown UpCloud ${what} ${shown(value)}; valid: ${[...valid].sort().join(', ')}`, {
    ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
  });
}
