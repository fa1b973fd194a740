import type { MountObject } from './schema.js';

const TARGET_KEYS = ['target', 'dst', 'destination'];

/** Why a `--mount` string is unusable (no target), or undefined when docker could accept it. */
export function mountStringProblem(mount: string): string | undefined {
  const keys = mount.split(',').map((part) => part.split('=')[0]!.trim().toLowerCase());
  if (!keys.some((key) => TARGET_KEYS.includes(key))) return 'has no target= (the path inside the container)';
  return undefined;
}

/** The reference CLI's form of an object mount: `type=T,src=S,dst=D` (src left out when there is no source). */
export function mountObjectArg(mount: MountObject): string {
  return [`type=${mount.type}`, ...(mount.source ? [`src=${mount.source}`] : []), `dst=${mount.target}`].join(',');
}
