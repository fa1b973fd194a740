import { z } from 'zod';

export const WORKSPACE_STATUSES = ['provisioning', 'provisioned', 'running', 'stopped', 'failed', 'missing'] as const;
export type WorkspaceStatus = (typeof WORKSPACE_STATUSES)[number];

/** One workspace in `.kamal/dev_state.yml`: the gem's keys plus kamal-dev's extras; unknown keys are kept. */
export const EntrySchema = z.looseObject({
  vm_id: z.string().nullish(),
  vm_ip: z.string().nullish(),
  container_name: z.string(),
  status: z.enum(WORKSPACE_STATUSES),
  deployed_at: z.string().nullish(),
  // extras
  service: z.string().optional(),
  provider: z.string().optional(),
  zone: z.string().optional(),
  plan: z.string().optional(),
  request_id: z.string().optional(),
  host_key: z.string().optional(),
  /** `user_data`: host_key is the key kamal-dev handed to the VM at creation, still to be replaced on the VM. */
  host_key_source: z.literal('user_data').optional(),
  ports: z.record(z.string(), z.number().int()).optional(),
  error: z.string().optional(),
  /** A Docker Compose workspace's project on its VM (remove takes it down). */
  compose_project: z.string().optional(),
  // the VM's stops, for its cost since deploy (docs/state.md#entry-keys)
  vm_stopped_at: z.string().optional(),
  vm_stopped_by: z.enum(['kamal-dev', 'provider']).optional(),
  vm_stopped_seconds: z.number().nonnegative().optional(),
});

export type Entry = z.infer<typeof EntrySchema>;

/** An entry before its status is set (what `StateStore.reserve` asks for). */
export const NewEntrySchema = EntrySchema.omit({ status: true });
export type NewEntry = z.infer<typeof NewEntrySchema>;

export const StateSchema = z.looseObject({
  deployments: z.record(z.string(), EntrySchema).nullish().transform((d) => d ?? {}),
});

export type State = z.infer<typeof StateSchema>;
