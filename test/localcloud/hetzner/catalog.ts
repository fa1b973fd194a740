import serverGet from './fixtures/go-server-get-200.json' with { type: 'json' };
import locationsList from './fixtures/py-locations-list.json' with { type: 'json' };
import typesList from './fixtures/py-server-types-list.json' with { type: 'json' };

/**
 * The emulator's catalogue, built from the fixtures (hcloud-go and hcloud-python test bodies, MIT; see
 * fixtures/README.md). Changes to what was recorded, each needed to serve the configuration the docs show:
 *
 * - cx22 (from go-server-get-200.json, with its real prices) is served orderable in fsn1, nbg1 and hel1:
 *   `deprecated: false`, no deprecation, `available: true`; the recording (Dec 2025) had it deprecated.
 * - cx21 and cx11 come from py-server-types-list.json as they are: cx11 is past its `unavailable_after`, so it
 *   cannot be ordered (what a client must detect); cx21 is offered in fsn1 and nbg1 only.
 * - ubuntu-24.04 is the recorded debian-13 image object with its name, description and os fields changed;
 *   debian-13 is served too, as recorded.
 * - `GET /pricing` has no fixture: its `currency` and `vat_rate` members are those of Hetzner's spec.
 */
type Json = Record<string, unknown>;

const recordedType = serverGet.server.server_type as unknown as Json;
const cx22: Json = {
  ...recordedType,
  deprecated: false,
  deprecation: null,
  locations: (recordedType.locations as Json[]).map((l) => ({ id: l.id, name: l.name, deprecation: null, available: true, recommended: true })),
};

export const LOCATIONS: Json[] = [...(locationsList.locations as Json[]), serverGet.server.location as Json];

const locationId = (name: string) => LOCATIONS.find((l) => l.name === name)?.id;
const fromList = (type: Json): Json => ({
  ...type,
  category: 'cost_optimized',
  locations: (type.prices as Json[]).map((p) => ({
    id: locationId(p.location as string),
    name: p.location,
    deprecation: type.deprecation ?? null,
    available: type.deprecation == null,
    recommended: false,
  })),
});

export const SERVER_TYPES: Json[] = [cx22, ...(typesList.server_types as Json[]).map(fromList)];

const debian = serverGet.server.image as unknown as Json;
export const IMAGES: Json[] = [
  { ...debian, id: 161547269, name: 'ubuntu-24.04', description: 'Ubuntu 24.04', os_flavor: 'ubuntu', os_version: '24.04', created: '2024-04-25T13:55:53Z' },
  debian,
];

export const PRICING: Json = { currency: 'EUR', vat_rate: '0.00' };

export function serverTypeByName(name: string): Json | undefined {
  return SERVER_TYPES.find((t) => t.name === name);
}
