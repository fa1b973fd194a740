import type { FeatureMetadata, ResolvedFeature } from './features/types.js';
import type { DevcontainerJson } from './schema.js';

/** One entry of a `devcontainer.metadata` label: a base image's, a feature's (with `id`), or devcontainer.json's. */
export type MetadataEntry = Record<string, unknown>;

export const LIFECYCLE_HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'] as const;
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];

/** devcontainer.json's properties that go into its metadata entry, in the reference CLI's order. */
const PICKED = [
  ...LIFECYCLE_HOOKS, 'waitFor', 'customizations', 'mounts', 'containerEnv', 'containerUser', 'init', 'privileged', 'capAdd',
  'securityOpt', 'remoteUser', 'userEnvProbe', 'remoteEnv', 'overrideCommand', 'portsAttributes', 'otherPortsAttributes',
  'forwardPorts', 'shutdownAction', 'updateRemoteUserUID', 'hostRequirements',
] as const;

/** A feature's properties that go into its metadata entry (containerEnv is baked into the image as ENV instead). */
const FEATURE_PICKED = [...LIFECYCLE_HOOKS, 'init', 'privileged', 'capAdd', 'securityOpt', 'entrypoint', 'mounts', 'customizations'] as const;

const pick = (from: Record<string, unknown>, keys: readonly string[]): MetadataEntry =>
  Object.fromEntries(keys.filter((key) => from[key] !== undefined).map((key) => [key, from[key]]));

/** devcontainer.json's metadata entry; `remoteEnv` is left out of the one written into an image label. */
export function devcontainerEntry(json: DevcontainerJson, options: { withRemoteEnv: boolean }): MetadataEntry {
  return pick(json as Record<string, unknown>, options.withRemoteEnv ? PICKED : PICKED.filter((key) => key !== 'remoteEnv'));
}

export function featureEntry(feature: Pick<ResolvedFeature, 'userId'> & { metadata: FeatureMetadata }): MetadataEntry {
  return { id: feature.userId, ...pick(feature.metadata, FEATURE_PICKED) };
}

/** A features image's label entries: the base image's, each feature's in install order, devcontainer.json's; empty ones dropped. */
export function imageLabelEntries(base: readonly MetadataEntry[], features: readonly MetadataEntry[], json: MetadataEntry): MetadataEntry[] {
  return [...base, ...features, json].filter((entry) => Object.keys(entry).length > 0);
}

/** The entries of an image's `devcontainer.metadata` label: an array, or one object; anything else is none. */
export function parseMetadataLabel(label: string | undefined): MetadataEntry[] {
  if (!label) return [];
  try {
    const value: unknown = JSON.parse(label);
    const list = Array.isArray(value) ? value : [value];
    return list.filter((entry): entry is MetadataEntry => entry !== null && typeof entry === 'object' && !Array.isArray(entry));
  } catch {
    return [];
  }
}

/** A lifecycle command with where it came from: a feature's id, or `devcontainer.json`. */
export interface OriginCommand {
  origin: string;
  command: unknown;
}

/** The configuration the entries make, merged with the reference CLI's rules (last entry: devcontainer.json). */
export interface MergedConfiguration {
  init: boolean;
  privileged: boolean;
  capAdd: string[];
  securityOpt: string[];
  entrypoints: string[];
  /** Deduplicated by target, the last one kept (in the place of its last occurrence). */
  mounts: unknown[];
  containerEnv: Record<string, string>;
  remoteEnv: Record<string, string | null>;
  remoteUser: string | undefined;
  containerUser: string | undefined;
  overrideCommand: boolean | undefined;
  forwardPorts: (number | string)[];
  hooks: Record<LifecycleHook, OriginCommand[]>;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const isEmpty = (command: unknown) =>
  command === undefined || command === null || command === '' || (Array.isArray(command) && command.length === 0) ||
  (typeof command === 'object' && !Array.isArray(command) && Object.keys(command).length === 0);

function mountTarget(mount: unknown): string | undefined {
  if (typeof mount === 'object' && mount !== null) return (mount as { target?: string }).target;
  if (typeof mount !== 'string') return undefined;
  for (const part of mount.split(',')) {
    const [key, value] = part.split('=');
    if (['target', 'dst', 'destination'].includes(key!.trim().toLowerCase())) return value;
  }
  return undefined;
}

export function mergeMetadata(entries: readonly MetadataEntry[]): MergedConfiguration {
  const merged: MergedConfiguration = {
    init: false, privileged: false, capAdd: [], securityOpt: [], entrypoints: [], mounts: [], containerEnv: {}, remoteEnv: {},
    remoteUser: undefined, containerUser: undefined, overrideCommand: undefined, forwardPorts: [],
    hooks: { onCreateCommand: [], updateContentCommand: [], postCreateCommand: [], postStartCommand: [], postAttachCommand: [] },
  };
  const mounts = new Map<string, unknown>();
  const untargeted: unknown[] = [];
  const ports = new Map<string, number | string>();
  for (const entry of entries) {
    merged.init ||= entry.init === true;
    merged.privileged ||= entry.privileged === true;
    for (const cap of strings(entry.capAdd)) if (!merged.capAdd.includes(cap)) merged.capAdd.push(cap);
    for (const opt of strings(entry.securityOpt)) if (!merged.securityOpt.includes(opt)) merged.securityOpt.push(opt);
    if (typeof entry.entrypoint === 'string' && entry.entrypoint) merged.entrypoints.push(entry.entrypoint);
    for (const mount of Array.isArray(entry.mounts) ? entry.mounts : []) {
      const target = mountTarget(mount);
      if (target === undefined) untargeted.push(mount);
      else {
        mounts.delete(target);
        mounts.set(target, mount);
      }
    }
    Object.assign(merged.containerEnv, entry.containerEnv ?? {});
    Object.assign(merged.remoteEnv, entry.remoteEnv ?? {});
    if (typeof entry.remoteUser === 'string' && entry.remoteUser) merged.remoteUser = entry.remoteUser;
    if (typeof entry.containerUser === 'string' && entry.containerUser) merged.containerUser = entry.containerUser;
    if (typeof entry.overrideCommand === 'boolean') merged.overrideCommand = entry.overrideCommand;
    for (const port of Array.isArray(entry.forwardPorts) ? (entry.forwardPorts as (number | string)[]) : []) {
      const key = typeof port === 'number' ? `localhost:${port}` : port;
      if (!ports.has(key)) ports.set(key, port);
    }
    const origin = typeof entry.id === 'string' ? entry.id : 'devcontainer.json';
    for (const hook of LIFECYCLE_HOOKS) if (!isEmpty(entry[hook])) merged.hooks[hook].push({ origin, command: entry[hook] });
  }
  merged.mounts = [...untargeted, ...mounts.values()];
  merged.forwardPorts = [...ports.values()];
  return merged;
}
