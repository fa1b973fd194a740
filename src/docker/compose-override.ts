import { stringify } from 'yaml';
import { namedVolumes, type ComposeVolume } from './compose-mounts.js';
import { keepAliveScript } from './run.js';

/** What kamal-dev adds to the user's compose files, in a file of its own passed last with `-f`. */
export interface OverrideOptions {
  /** The workspace's service and the name its container gets (the workspace's, as a single container's). */
  service: string;
  containerName: string;
  /** On the workspace's container (kamal-dev.service, .workspace, [.destination], .spec-hash). */
  labels: readonly (readonly [string, string])[];
  /** The other services of the files, and the labels their containers get (those that find the workspace). */
  otherServices: readonly string[];
  otherLabels: readonly (readonly [string, string])[];
  /** `source:target` binds: the workspace folder first. */
  volumes: readonly string[];
  /** The secrets env file (0600 on the VM). */
  envFile: string;
  /** containerEnv. */
  env: readonly (readonly [string, string])[];
  publish: readonly string[];
  cpus: number | undefined;
  memory: string | undefined;
  memorySwap: string | undefined;
  init: boolean;
  privileged: boolean;
  capAdd: readonly string[];
  securityOpt: readonly string[];
  user: string | undefined;
  workdir: string;
  /** overrideCommand: the keep-alive entrypoint instead of the service's own entrypoint and command. */
  keepAlive: boolean;
  /** The image kamal-dev made for the service (its build or its features); undefined: the files' own. */
  image?: string | undefined;
  /** Mounts of the image's metadata (features'), in Compose's long syntax; named volumes are declared. */
  mounts?: readonly ComposeVolume[] | undefined;
  /** Features' entrypoints: run by the keep-alive script before the service's own start (see userStart). */
  entrypoints?: readonly string[] | undefined;
  /**
   * With entrypoints and keepAlive false: what the keep-alive script execs, the service's entrypoint (or the
   * image's) and, when the files set no `command:`, the command (the image's, none after a service entrypoint).
   */
  userStart?: { entrypoint: readonly string[]; command: readonly string[] | undefined } | undefined;
}

/** Compose interpolates `$` in every file: a literal one is written `$$`. */
function literal(value: string): string {
  return value.replaceAll('$', '$$$$');
}

/** The entrypoint and command the override sets: the keep-alive script when asked for or when features have entrypoints. */
function startKeys(o: OverrideOptions): Record<string, unknown> {
  const entrypoints = o.entrypoints ?? [];
  if (!o.keepAlive && entrypoints.length === 0) return {};
  const script = ['/bin/sh', '-c', literal(keepAliveScript(entrypoints)), '-'];
  if (o.keepAlive) return { entrypoint: script, command: [] };
  const user = o.userStart ?? { entrypoint: [], command: undefined };
  return { entrypoint: [...script, ...user.entrypoint.map(literal)], ...(user.command === undefined ? {} : { command: user.command.map(literal) }) };
}

const mapOf = (entries: readonly (readonly [string, string])[]) => Object.fromEntries(entries.map(([key, value]) => [key, literal(value)]));

/**
 * The override file's YAML. No `version:` (both v1 1.29 and v2 merge a file without one with any other), only
 * keys both versions read, every value literal. Volumes and ports are appended to the service's by Compose,
 * and a volume with the workspace folder's target replaces the service's own one there.
 */
export function composeOverride(o: OverrideOptions): string {
  const mounts = (o.mounts ?? []).map((m) => ({ ...m, ...(m.source === undefined ? {} : { source: literal(m.source) }), target: literal(m.target) }));
  const workspace: Record<string, unknown> = {
    ...(o.image === undefined ? {} : { image: literal(o.image) }),
    container_name: o.containerName,
    labels: mapOf(o.labels),
    volumes: [...o.volumes.map(literal), ...mounts],
    env_file: [literal(o.envFile)],
    working_dir: literal(o.workdir),
    ...(o.env.length ? { environment: mapOf(o.env) } : {}),
    ...(o.publish.length ? { ports: o.publish.map(literal) } : {}),
    ...(o.cpus === undefined ? {} : { cpus: o.cpus }),
    ...(o.memory === undefined ? {} : { mem_limit: o.memory }),
    ...(o.memorySwap === undefined ? {} : { memswap_limit: o.memorySwap }),
    ...(o.init ? { init: true } : {}),
    ...(o.privileged ? { privileged: true } : {}),
    ...(o.capAdd.length ? { cap_add: o.capAdd.map(literal) } : {}),
    ...(o.securityOpt.length ? { security_opt: o.securityOpt.map(literal) } : {}),
    ...(o.user === undefined ? {} : { user: literal(o.user) }),
    ...startKeys(o),
  };
  const services: Record<string, unknown> = { [o.service]: workspace };
  for (const other of o.otherServices) services[other] = { labels: mapOf(o.otherLabels) };
  const volumes = namedVolumes(o.mounts ?? []);
  const declared = volumes.length ? { volumes: Object.fromEntries(volumes.map((name) => [literal(name), { name: literal(name) }])) } : {};
  return stringify({ services, ...declared }, { lineWidth: 0 });
}
