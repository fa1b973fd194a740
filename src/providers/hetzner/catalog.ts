import { closest } from '../../lib/closest.js';
import { shown } from '../../lib/shown.js';
import { PlacementError, type Plan } from '../provider.js';
import type { HetznerApi } from './api.js';
import type { HetznerConfig } from './config.js';
import type { ServerType } from './schemas.js';

/** What a create needs from the catalogue: the server type (with its prices) and the image's ID. */
export interface Placed {
  type: ServerType;
  imageId: number;
  plan: Plan;
}

export function toPlan(type: ServerType): Plan {
  return { name: type.name, cores: type.cores, memoryMb: Math.round(type.memory * 1024), storageGb: type.disk };
}

/** Whether a type can be ordered in a location now: listed there, not marked unavailable, not past its end date. */
export function orderableIn(type: ServerType, location: string, now: number): boolean {
  const entry = type.locations?.find((l) => l.name === location);
  const priced = type.prices.some((p) => p.location === location);
  if (entry === undefined) return type.locations === undefined && priced;
  if (entry.available === false) return false;
  const end = entry.deprecation?.unavailable_after ?? type.deprecation?.unavailable_after;
  return end === undefined || Date.parse(end) > now;
}

/** Server types, locations and images, read once per provider, to check the configuration and name valid values. */
export class Catalog {
  #placed: Promise<Placed> | undefined;
  #types: Promise<ServerType[]> | undefined;

  constructor(
    private readonly api: HetznerApi,
    private readonly config: HetznerConfig,
  ) {}

  types(signal?: AbortSignal): Promise<ServerType[]> {
    this.#types ??= this.api.serverTypes(signal);
    return this.#types.catch((error: unknown) => {
      this.#types = undefined;
      throw error;
    });
  }

  /** The configured location, server type and image, once all are known to Hetzner; otherwise a PlacementError. */
  placed(signal?: AbortSignal): Promise<Placed> {
    this.#placed ??= this.#check(signal);
    return this.#placed.catch((error: unknown) => {
      this.#placed = undefined;
      throw error;
    });
  }

  async #check(signal?: AbortSignal): Promise<Placed> {
    const { location, server_type: typeName, image } = this.config;
    const [locations, types] = await Promise.all([this.api.locations(signal), this.types(signal)]);
    if (!locations.some((l) => l.name === location)) throw unknown('provider.location', `unknown Hetzner location ${shown(location)}`, location, locations.map((l) => l.name));
    const type = types.find((t) => t.name === typeName);
    const here = types.filter((t) => orderableIn(t, location, Date.now())).map((t) => t.name);
    if (type === undefined) throw unknown('provider.server_type', `unknown Hetzner server type ${shown(typeName)} in ${location}`, typeName, here);
    if (!here.includes(type.name)) throw unknown('provider.server_type', `Hetzner server type ${type.name} cannot be ordered in ${location}`, typeName, here.filter((n) => n !== type.name));
    const images = (await this.api.images(type.architecture, signal)).filter((i) => i.status === undefined || i.status === 'available');
    const found = images.find((i) => i.name === image);
    if (found === undefined) {
      throw unknown('provider.image', `unknown Hetzner image ${shown(image)}${type.architecture ? ` for ${type.architecture}` : ''}`, image, images.flatMap((i) => (i.name ? [i.name] : [])));
    }
    return { type, imageId: found.id, plan: toPlan(type) };
  }
}

/** A PlacementError listing the valid values, with the closest one as the hint. */
function unknown(key: string, what: string, value: string, valid: string[]): PlacementError {
  const suggestion = closest(value, valid);
  return new PlacementError(key, `${what}; valid: ${[...new Set(valid)].sort().join(', ') || '(none)'}`, {
    ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
  });
}
