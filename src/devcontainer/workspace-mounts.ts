import { mountKey } from './mounts.js';
import type { MountObject } from './schema.js';

/**
 * What a mount becomes on a VM (docs/configuration.md#mounts-on-a-vm). The VM is not the machine the variables
 * were read on, and with `vms.spread: false` it holds several workspaces of the project at once, so:
 *
 * - a `type=volume` whose source was made by a variable gets `-<workspace>` on a shared VM: such a name
 *   (`${localWorkspaceFolderBasename}-db`) is the same for every workspace of the project, and the workspaces
 *   would share the volume. A source with `${devcontainerId}` is already per workspace, and a literal name is
 *   shared on purpose: both stay as written.
 * - a `type=bind` whose source is a path of this machine (`${localEnv:…}`, `${env:…}`, or `~`, which is the
 *   SSH user's home on the VM) is named in a warning, and deploy creates it, empty, when the VM lacks it.
 *   Other bind sources are the VM's paths, as written (`/var/run/docker.sock`).
 */
export interface MountTarget {
  workspace: string;
  /** The SSH user's home on the VM. */
  home: string;
  /** More than one workspace of the service on the VM (`vms.spread: false`). */
  sharedVm: boolean;
}

/** A bind source of this machine that deploy creates on the VM when it is missing. */
export interface LocalBind {
  /** `<devcontainer.json>: mounts[i]`. */
  where: string;
  /** The path on the VM. */
  source: string;
}

export interface PlacedMount {
  mount: string | MountObject;
  local?: LocalBind;
}

const PER_WORKSPACE = /\$\{(devcontainerId|localWorkspaceFolder)\}/;
const VARIABLE = /\$\{[^}]*\}/;
const LOCAL_PATH = /\$\{(localEnv|env):[^}]*\}/;
const HOME = /^~(?=\/|$)/;

interface Parts {
  type: string;
  source: string | undefined;
  /** Rewrites the source in the mount's own form. */
  withSource(source: string): string | MountObject;
}

/** The type (docker's default for `--mount` is volume) and source of a mount, string or object. */
function partsOf(mount: string | MountObject): Parts {
  if (typeof mount !== 'string') return { type: mount.type, source: mount.source, withSource: (source) => ({ ...mount, source }) };
  const fields = mount.split(',');
  const at = fields.findIndex((field) => mountKey(field) === 'source');
  const type = fields.find((field) => mountKey(field) === 'type');
  const field = at === -1 ? undefined : fields[at]!;
  return {
    type: type === undefined ? 'volume' : type.slice(type.indexOf('=') + 1).trim().toLowerCase(),
    source: field === undefined ? undefined : field.slice(field.indexOf('=') + 1),
    withSource: (source) => fields.map((f, i) => (i === at ? `${f.slice(0, f.indexOf('='))}=${source}` : f)).join(','),
  };
}

/** The source of a mount as written (before substitution), to tell where it came from. */
export function rawMountSource(mount: unknown): string | undefined {
  if (typeof mount === 'string' || (typeof mount === 'object' && mount !== null && 'type' in mount)) return partsOf(mount as string | MountObject).source;
  return undefined;
}

/**
 * One mount, substituted, placed on its VM. `raw` is its source as written; `where` names it in the warning.
 * Anything that is not a string or a `{type, source, target}` object is returned unchanged.
 */
export function placeMount(mount: unknown, raw: string | undefined, where: string, target: MountTarget): PlacedMount | { mount: unknown } {
  if (typeof mount !== 'string' && (typeof mount !== 'object' || mount === null || !('type' in mount))) return { mount };
  const parts = partsOf(mount as string | MountObject);
  const { source } = parts;
  if (!source || raw === undefined) return { mount };
  if (parts.type === 'volume') {
    const variable = VARIABLE.test(raw) && !PER_WORKSPACE.test(raw);
    return { mount: variable && target.sharedVm ? parts.withSource(`${source}-${target.workspace}`) : mount };
  }
  if (parts.type !== 'bind') return { mount };
  if (HOME.test(source)) {
    const onVm = source.replace(HOME, target.home.replace(/\/$/, ''));
    return { mount: parts.withSource(onVm), local: { where, source: onVm } };
  }
  return LOCAL_PATH.test(raw) ? { mount, local: { where, source } } : { mount };
}

/** devcontainer.json's mounts (substituted), each with its source as written (Devcontainer.mountSources). */
export function placeDevcontainerMounts(
  mounts: readonly unknown[],
  rawSources: readonly (string | undefined)[],
  file: string,
  target: MountTarget,
): { mounts: unknown[]; local: LocalBind[] } {
  const placed = mounts.map((mount, i) => placeMount(mount, rawSources[i], `${file}: mounts[${i}]`, target));
  return { mounts: placed.map((p) => p.mount), local: placed.flatMap((p) => ('local' in p && p.local ? [p.local] : [])) };
}

/**
 * The mounts of image metadata entries (features', base images'), still as written: their volumes are placed as
 * devcontainer.json's are; their bind sources are taken as the VM's paths.
 */
export function placeMetadataMounts<T extends Record<string, unknown>>(entries: readonly T[], target: MountTarget): T[] {
  return entries.map((entry) => {
    if (!Array.isArray(entry.mounts)) return entry;
    const mounts = entry.mounts.map((mount: unknown) => {
      const raw = rawMountSource(mount);
      const isVolume = raw !== undefined && partsOf(mount as string | MountObject).type === 'volume';
      return isVolume ? placeMount(mount, raw, '', target).mount : mount;
    });
    return { ...entry, mounts };
  });
}

/** The warning of a dry run, and of a deploy that creates the source. */
export function localBindWarning(bind: LocalBind): string {
  return `${bind.where}: source ${bind.source} is a path of this machine; deploy creates it empty on the VM`;
}
