import { ApiError } from '../emulator/http-reply.js';
import { IMAGES, LOCATIONS, serverTypeByName } from './catalog.js';

type Json = Record<string, unknown>;

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
// hcloud-go's label rules (hcloud/labels.go).
const LABEL_KEY = /^([a-z0-9A-Z]((?:[-_.]|[a-z0-9A-Z]){0,253}[a-z0-9A-Z])?\/)?[a-z0-9A-Z]((?:[-_.]|[a-z0-9A-Z]|){0,61}[a-z0-9A-Z])?$/;
const LABEL_VALUE = /^(([a-z0-9A-Z](?:[-_.]|[a-z0-9A-Z]){0,61})?[a-z0-9A-Z]$|$)/;

export interface CreateSpec {
  name: string;
  serverType: Json;
  location: Json;
  image: Json;
  sshKeyRefs: unknown[];
  labels: Record<string, string>;
  startAfterCreate: boolean;
  /** user_data as sent (cloud-config for the netns backend). */
  userData?: string;
}

export function invalidField(field: string, message = `invalid input in field '${field}'`): ApiError {
  return Object.assign(new ApiError(422, 'invalid_input', message), { details: { fields: [{ name: field, messages: [message] }] } });
}

export function parseLabels(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidField('labels');
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value) || key.startsWith('hetzner.cloud/')) throw invalidField('labels');
  }
  return raw as Record<string, string>;
}

function byIdOrName(list: Json[], ref: unknown): Json | undefined {
  return list.find((item) => item.id === ref || (typeof ref === 'string' && (item.name === ref || String(item.id) === ref)));
}

/** Whether the type can be ordered in the location now (listed, available, not past unavailable_after). */
export function orderable(type: Json, location: string): boolean {
  const entry = (type.locations as Json[] | undefined)?.find((l) => l.name === location);
  if (!entry || entry.available === false) return false;
  const end = (entry.deprecation as { unavailable_after?: string } | null)?.unavailable_after;
  return end === undefined || Date.parse(end) > Date.now();
}

/** POST /servers, validated as section 7.2 of the reference notes describe. */
export function parseCreateRequest(body: unknown): CreateSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'json_error', 'the request body must be a JSON object');
  const b = body as Json;
  if ('datacenter' in b) throw invalidField('datacenter', 'datacenter is no longer supported, use location');
  if (typeof b.name !== 'string' || !HOSTNAME.test(b.name)) throw invalidField('name', "invalid input in field 'name'");
  const serverType = typeof b.server_type === 'string' ? serverTypeByName(b.server_type) : undefined;
  if (!serverType) throw invalidField('server_type', 'server type not found');
  const location = byIdOrName(LOCATIONS, b.location ?? 'fsn1');
  if (!location) throw invalidField('location', 'location not found');
  const image = byIdOrName(IMAGES, b.image);
  if (!image || image.architecture !== serverType.architecture) throw new ApiError(422, 'invalid_input', 'image not found');
  if (!orderable(serverType, location.name as string)) throw new ApiError(422, 'invalid_input', 'unsupported location for server type');
  if (b.ssh_keys !== undefined && !Array.isArray(b.ssh_keys)) throw invalidField('ssh_keys');
  if (b.user_data !== undefined && (typeof b.user_data !== 'string' || Buffer.byteLength(b.user_data) > 32 * 1024)) throw invalidField('user_data');
  return {
    name: b.name,
    serverType,
    location,
    image,
    sshKeyRefs: (b.ssh_keys as unknown[] | undefined) ?? [],
    labels: parseLabels(b.labels),
    startAfterCreate: b.start_after_create !== false,
    ...(typeof b.user_data === 'string' ? { userData: b.user_data } : {}),
  };
}
