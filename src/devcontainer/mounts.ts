import type { MountObject } from './schema.js';

const ALIASES: Record<string, string> = { src: 'source', dst: 'target', destination: 'target', ro: 'readonly' };

/** The key of one `key=value` field of a `--mount` string as docker reads it: `src` is `source`, `dst` and `destination` are `target`, `ro` is `readonly`. */
export function mountKey(field: string): string {
  const key = field.split('=')[0]!.trim().toLowerCase();
  return ALIASES[key] ?? key;
}

/** Why a `--mount` string is unusable (no target), or undefined when docker could accept it. */
export function mountStringProblem(mount: string): string | undefined {
  if (!mount.split(',').map(mountKey).includes('target')) return 'has no target= (the path inside the container)';
  return undefined;
}

/** The reference CLI's form of an object mount: `type=T,src=S,dst=D` (src left out when there is no source). */
export function mountObjectArg(mount: MountObject): string {
  return [`type=${mount.type}`, ...(mount.source ? [`src=${mount.source}`] : []), `dst=${mount.target}`].join(',');
}
