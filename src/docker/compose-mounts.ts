import { mountKey } from '../devcontainer/mounts.js';

/** A `--mount` (a string `type=…,source=…,target=…` or the object form) in Compose's long volume syntax. */
export interface ComposeVolume {
  type: string;
  source?: string;
  target: string;
  read_only?: true;
}

type Field = 'type' | 'source' | 'target' | 'readonly';
const FIELDS = new Set<string>(['type', 'source', 'target', 'readonly'] satisfies Field[]);

/** The mount as Compose's long syntax writes it; undefined for one without a target (refused earlier, as for docker run). */
export function composeVolumeOf(mount: unknown): ComposeVolume | undefined {
  const fields: Partial<Record<Field, string>> = {};
  if (typeof mount === 'string') {
    for (const part of mount.split(',')) {
      const name = mountKey(part);
      const rest = part.split('=').slice(1);
      if (FIELDS.has(name)) fields[name as Field] = rest.length ? rest.join('=') : 'true';
    }
  } else if (typeof mount === 'object' && mount !== null) {
    const object = mount as { type?: unknown; source?: unknown; target?: unknown };
    if (typeof object.type === 'string') fields.type = object.type;
    if (typeof object.source === 'string') fields.source = object.source;
    if (typeof object.target === 'string') fields.target = object.target;
  }
  if (!fields.target) return undefined;
  const readOnly = fields.readonly !== undefined && fields.readonly !== 'false' && fields.readonly !== '0';
  return { type: fields.type ?? 'volume', ...(fields.source ? { source: fields.source } : {}), target: fields.target, ...(readOnly ? { read_only: true as const } : {}) };
}

/** The named volumes the mounts use: Compose needs each declared, under its own name (as docker run would name it). */
export function namedVolumes(volumes: readonly ComposeVolume[]): string[] {
  return [...new Set(volumes.filter((v) => v.type === 'volume' && v.source).map((v) => v.source!))];
}
