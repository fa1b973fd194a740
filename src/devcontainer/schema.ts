import { z } from 'zod';

const PORT_ERROR = 'expected a port number 0-65535 or "service:port"';
const port = z.number({ error: PORT_ERROR }).int({ error: PORT_ERROR }).min(0, { error: PORT_ERROR }).max(65535, { error: PORT_ERROR });
const SIZE = /^\d+([tgmk]b)?$/;
/** forwardPorts' `"service:port"` form (the spec's pattern), with the port in range. */
const hostPort = z
  .string()
  .regex(/^([a-z0-9-]+):(\d{1,5})$/, { error: PORT_ERROR })
  .refine((value) => Number(value.split(':')[1]) <= 65535, { error: PORT_ERROR });

const stringList = z.array(z.string({ error: 'expected a string' }), { error: 'expected a list of strings' });
const stringMap = z.record(z.string(), z.string({ error: 'expected a string' }), { error: 'expected an object of strings' });

/** A lifecycle command: a string (run by sh), an argv (exec form), or named entries run in parallel. */
export const CommandSchema = z.union(
  [
    z.string(),
    stringList,
    z.record(z.string(), z.union([z.string(), stringList], { error: 'expected a string or a list of strings' })),
  ],
  { error: 'expected a command: a string, a list of strings, or an object of them' },
);

export const MountObjectSchema = z.strictObject({
  type: z.enum(['bind', 'volume'], { error: 'expected "bind" or "volume"' }),
  source: z.string({ error: 'expected a string' }).optional(),
  target: z.string({ error: 'is required (the path inside the container)' }).min(1, { error: 'must not be empty' }),
});

const size = z.string({ error: 'expected a size such as "8gb"' }).regex(SIZE, { error: 'expected a size such as "8gb" (lowercase unit)' });

/** `build`: a Dockerfile build (paths relative to devcontainer.json's folder). */
export const BuildSchema = z.strictObject(
  {
    dockerfile: z.string({ error: 'expected a path string' }).min(1, { error: 'must not be empty' }).optional(),
    context: z.string({ error: 'expected a path string' }).min(1, { error: 'must not be empty' }).optional(),
    args: stringMap.optional(),
    target: z.string({ error: 'expected a stage name' }).min(1, { error: 'must not be empty' }).optional(),
    cacheFrom: z.union([z.string().min(1), stringList], { error: 'expected an image reference or a list of them' }).optional(),
    options: stringList.optional(),
  },
  { error: 'expected an object with dockerfile, context, args, target, cacheFrom, options' },
);

/** devcontainer.json as kamal-dev reads it: image configs only; known but unbuilt properties are errors. */
export const DevcontainerSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string({ error: 'expected a string' }).optional(),
  image: z.string({ error: 'expected an image reference string' }).min(1, { error: 'must not be empty' }).optional(),
  forwardPorts: z
    .array(z.union([port, hostPort], { error: PORT_ERROR }), { error: 'expected a list of ports' })
    .optional(),
  appPort: z
    .union([port, z.string().min(1), z.array(z.union([port, z.string().min(1)], { error: PORT_ERROR }))], {
      error: 'expected a port number, a "host:container" string, or a list of them',
    })
    .optional(),
  mounts: z
    .array(z.union([z.string().min(1), MountObjectSchema]), { error: 'expected a list of mounts' })
    .optional(),
  workspaceFolder: z.string({ error: 'expected a path string' }).optional(),
  workspaceMount: z.string({ error: 'expected a --mount string (or "" for none)' }).optional(),
  containerEnv: stringMap.optional(),
  remoteEnv: z
    .record(z.string(), z.string({ error: 'expected a string or null' }).nullable(), { error: 'expected an object of strings' })
    .nullable()
    .optional(),
  runArgs: stringList.optional(),
  containerUser: z.string({ error: 'expected a user name' }).min(1).optional(),
  remoteUser: z.string({ error: 'expected a user name' }).min(1).optional(),
  init: z.boolean({ error: 'expected true or false' }).optional(),
  privileged: z.boolean({ error: 'expected true or false' }).optional(),
  capAdd: stringList.optional(),
  securityOpt: stringList.optional(),
  overrideCommand: z.boolean({ error: 'expected true or false' }).optional(),
  initializeCommand: CommandSchema.optional(),
  onCreateCommand: CommandSchema.optional(),
  updateContentCommand: CommandSchema.optional(),
  postCreateCommand: CommandSchema.optional(),
  postStartCommand: CommandSchema.optional(),
  hostRequirements: z
    .strictObject({
      cpus: z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).min(1).optional(),
      memory: size.optional(),
      storage: size.optional(),
      gpu: z.union([z.literal(false), z.literal('optional')], { error: 'GPU requirements are not supported yet by kamal-dev' }).optional(),
    }, { error: 'expected an object with cpus, memory, storage' })
    .optional(),
  // Accepted and ignored: kamal-dev has no attach step, no UI and no image metadata merge.
  postAttachCommand: CommandSchema.optional(),
  customizations: z.record(z.string(), z.unknown(), { error: 'expected an object' }).optional(),
  portsAttributes: z.record(z.string(), z.unknown(), { error: 'expected an object' }).optional(),
  otherPortsAttributes: z.record(z.string(), z.unknown(), { error: 'expected an object' }).optional(),
  shutdownAction: z.enum(['none', 'stopContainer', 'stopCompose'], { error: 'expected "none", "stopContainer" or "stopCompose"' }).optional(),
  waitFor: z
    .enum(['initializeCommand', 'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand'], {
      error: 'expected the name of a lifecycle command',
    })
    .optional(),
  userEnvProbe: z.enum(['none', 'interactiveShell', 'loginShell', 'loginInteractiveShell'], { error: 'expected none, interactiveShell, loginShell or loginInteractiveShell' }).optional(),
  updateRemoteUserUID: z.boolean({ error: 'expected true or false' }).optional(),
  secrets: z.record(z.string(), z.unknown(), { error: 'expected an object' }).optional(),
  features: z
    .record(z.string(), z.union([z.record(z.string(), z.unknown()), z.string(), z.boolean()], { error: 'expected an object of options, a version string, or true/false' }), { error: 'expected an object' })
    .optional(),
  overrideFeatureInstallOrder: stringList.optional(),
  build: BuildSchema.optional(),
  dockerFile: z.string({ error: 'expected a path string' }).min(1, { error: 'must not be empty' }).optional(),
  context: z.string({ error: 'expected a path string' }).min(1, { error: 'must not be empty' }).optional(),
  // Legacy properties the spec still defines (now under customizations.vscode): accepted and ignored.
  extensions: z.unknown().optional(),
  settings: z.unknown().optional(),
  dockerComposeFile: z
    .union([z.string().min(1, { error: 'must not be empty' }), z.array(z.string().min(1, { error: 'must not be empty' }), { error: 'expected a list of paths' }).min(1, { error: 'expected at least one compose file' })], {
      error: 'expected a compose file path or a list of them',
    })
    .optional(),
  service: z.string({ error: 'expected the name of a service' }).min(1, { error: 'must not be empty' }).optional(),
  runServices: z.array(z.string({ error: 'expected the name of a service' }).min(1), { error: 'expected a list of service names' }).optional(),
});

export type DevcontainerJson = z.infer<typeof DevcontainerSchema>;
export type CommandJson = z.infer<typeof CommandSchema>;
export type MountObject = z.infer<typeof MountObjectSchema>;

export type BuildJson = z.infer<typeof BuildSchema>;

export const DEVCONTAINER_KEYS: Record<string, readonly string[]> = { '': Object.keys(DevcontainerSchema.shape), build: Object.keys(BuildSchema.shape) };
