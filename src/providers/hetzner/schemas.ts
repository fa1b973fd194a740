import { z } from 'zod';

/**
 * zod schemas of the Hetzner Cloud API v1 responses kamal-dev reads, shaped after hcloud-go's and
 * hcloud-python's test bodies (test/localcloud/hetzner/fixtures/). Only the members read are listed; unknown
 * ones are allowed, as the API adds members often. IDs are numbers (up to 2^53-1), prices decimal strings.
 */

const Id = z.number().int().nonnegative();
const Labels = z.record(z.string(), z.string());

export const Action = z.object({
  id: Id,
  command: z.string().optional(),
  status: z.enum(['running', 'success', 'error']),
  progress: z.number().optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullish(),
});
export type Action = z.infer<typeof Action>;

const Price = z.object({ net: z.string(), gross: z.string() });
const TypePrice = z.object({ location: z.string(), price_hourly: Price, price_monthly: Price });
export type TypePrice = z.infer<typeof TypePrice>;

const Deprecation = z.object({ announced: z.string(), unavailable_after: z.string() }).nullish();

export const ServerType = z.object({
  id: Id,
  name: z.string(),
  cores: z.number(),
  memory: z.number(),
  disk: z.number(),
  architecture: z.string().optional(),
  prices: z.array(TypePrice),
  locations: z
    .array(z.object({ name: z.string(), deprecation: Deprecation, available: z.boolean().optional() }))
    .optional(),
  deprecation: Deprecation,
});
export type ServerType = z.infer<typeof ServerType>;

export const Server = z.object({
  id: Id,
  name: z.string(),
  status: z.string(),
  public_net: z.object({ ipv4: z.object({ ip: z.string() }).nullish() }),
  server_type: z.object({ name: z.string() }),
  location: z.object({ name: z.string() }),
  labels: Labels.default({}),
});
export type Server = z.infer<typeof Server>;

const Pagination = z.object({ next_page: z.number().nullish() }).partial();
const Meta = z.object({ pagination: Pagination.optional() }).optional();

export const ServerResponse = z.object({ server: Server });
export const ServerListResponse = z.object({ servers: z.array(Server), meta: Meta });
export const CreateServerResponse = z.object({ server: Server, action: Action, next_actions: z.array(Action).default([]) });
export const ActionResponse = z.object({ action: Action });
export const ActionListResponse = z.object({ actions: z.array(Action) });

export const SshKey = z.object({ id: Id, name: z.string(), fingerprint: z.string() });
export const SshKeyResponse = z.object({ ssh_key: SshKey });
export const SshKeyListResponse = z.object({ ssh_keys: z.array(SshKey), meta: Meta });

export const ServerTypeListResponse = z.object({ server_types: z.array(ServerType), meta: Meta });
export const LocationListResponse = z.object({ locations: z.array(z.object({ id: Id, name: z.string() })), meta: Meta });
export const ImageListResponse = z.object({
  images: z.array(z.object({ id: Id, name: z.string().nullish(), architecture: z.string().optional(), status: z.string().optional() })),
  meta: Meta,
});
export const PricingResponse = z.object({ pricing: z.object({ currency: z.string() }) });

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
