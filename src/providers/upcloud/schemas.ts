import { z } from 'zod';

/** zod schemas of the UpCloud API 1.3 responses kamal-dev reads, shaped after the recorded traffic. */

const Label = z.object({ key: z.string(), value: z.string() });
export const ServerLabels = z.object({ label: z.array(Label) });

const IpAddress = z.object({ access: z.string(), address: z.string(), family: z.string() });

/** Fields shared by the list summary and the full object. Counts are JSON strings in this API. */
const ServerSummary = z.object({
  uuid: z.string(),
  title: z.string(),
  hostname: z.string(),
  state: z.string(),
  zone: z.string(),
  plan: z.string(),
  core_number: z.string(),
  memory_amount: z.string(),
  created: z.number().optional(),
  labels: ServerLabels.default({ label: [] }),
});

const StorageDevice = z.object({
  storage: z.string(),
  storage_size: z.number(),
  storage_tier: z.string().optional(),
  type: z.string(),
});

/** GET /server/{uuid}, and POST /server (which adds password, progress and username). */
export const Server = ServerSummary.extend({
  ip_addresses: z.object({ ip_address: z.array(IpAddress) }).optional(),
  storage_devices: z.object({ storage_device: z.array(StorageDevice) }).optional(),
  progress: z.string().optional(),
});
export type Server = z.infer<typeof Server>;

export const ServerResponse = z.object({ server: Server });
export const ServerListResponse = z.object({ servers: z.object({ server: z.array(ServerSummary) }) });
export type ServerSummary = z.infer<typeof ServerSummary>;

export const PlanListResponse = z.object({
  plans: z.object({
    plan: z.array(
      z.object({
        name: z.string(),
        core_number: z.number(),
        memory_amount: z.number(),
        storage_size: z.number(),
        storage_tier: z.string().nullish(),
      }),
    ),
  }),
});

const PriceItem = z.object({ amount: z.number(), price: z.number() });
export type PriceItem = z.infer<typeof PriceItem>;
const PriceZone = z.object({ name: z.string() }).catchall(PriceItem);
export type PriceZone = z.infer<typeof PriceZone>;
export const PriceListResponse = z.object({
  prices: z.object({ zone: z.array(PriceZone), currency: z.string().optional() }),
});

export const ZoneListResponse = z.object({
  zones: z.object({ zone: z.array(z.object({ id: z.string(), description: z.string(), public: z.enum(['yes', 'no']) })) }),
});

export const LegacyErrorBody = z.object({ error: z.object({ error_code: z.string(), error_message: z.string() }) });
export const ProblemBody = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().optional(),
  correlation_id: z.string().optional(),
});
