import type { Argv } from '../lib/argv.js';

/**
 * The reference devcontainer CLI's keep-alive (docs/configuration.md#docker-run), on one line: it exits 0 on SIGTERM, and
 * `exec "$@"` runs nothing, so the loop keeps a container alive whose image's own command would exit.
 */
export const KEEP_ALIVE_SCRIPT = 'echo Container started; trap "exit 0" 15; exec "$@"; while sleep 1 & wait $!; do :; done';

/** The keep-alive with the features' entrypoints run before `exec "$@"`, in install order, as the reference CLI runs them. */
export function keepAliveScript(entrypoints: readonly string[]): string {
  return ['echo Container started', 'trap "exit 0" 15', ...entrypoints, 'exec "$@"', 'while sleep 1 & wait $!; do :; done'].join('; ');
}

/** Everything `docker run` needs, already resolved; the builder only orders it. */
export interface RunOptions {
  name: string;
  /** In order; kamal-dev.service, kamal-dev.workspace and kamal-dev.spec-hash come first. */
  labels: readonly (readonly [string, string])[];
  /** `--mount` values, the workspace mount first. */
  mounts: readonly string[];
  /** Remote path of the secrets env file. */
  envFile: string | undefined;
  /** `-p` values (`3000:3000`, `3000`, or a user's string). */
  publish: readonly string[];
  /** containerEnv, as `-e KEY=VALUE` (never secrets). */
  env: readonly (readonly [string, string])[];
  cpus: number | undefined;
  memory: string | undefined;
  memorySwap: string | undefined;
  init: boolean;
  privileged: boolean;
  capAdd: readonly string[];
  securityOpt: readonly string[];
  /** containerUser only: remoteUser is the user of lifecycle commands and `exec`, never the container's. */
  user: string | undefined;
  workdir: string | undefined;
  /** Appended verbatim after the generated flags, so they can override them. */
  runArgs: readonly string[];
  image: string;
  /** true: `--entrypoint /bin/sh <image> -c <keep-alive> -`; false: the image's own entrypoint and command. */
  keepAlive: boolean;
  /** Features' entrypoints: run by the keep-alive script (also when keepAlive is false, then before `command`). */
  entrypoints?: readonly string[] | undefined;
  /** With keepAlive false and entrypoints: the image's entrypoint and command, exec'd by the keep-alive script. */
  command?: readonly string[] | undefined;
}

const repeat = (flag: string, values: readonly string[]): string[] => values.flatMap((value) => [flag, value]);

/** `docker run --detach …` as an argv. No shell is involved: every value is one argument, unchanged. */
export function dockerRun(o: RunOptions): Argv {
  return [
    'docker', 'run', '--detach',
    '--name', o.name,
    ...repeat('--label', o.labels.map(([key, value]) => `${key}=${value}`)),
    '--restart', 'unless-stopped',
    ...repeat('--mount', o.mounts),
    ...(o.envFile === undefined ? [] : ['--env-file', o.envFile]),
    ...repeat('-p', o.publish),
    ...repeat('-e', o.env.map(([key, value]) => `${key}=${value}`)),
    ...(o.cpus === undefined ? [] : ['--cpus', String(o.cpus)]),
    ...(o.memory === undefined ? [] : ['--memory', o.memory]),
    ...(o.memorySwap === undefined ? [] : ['--memory-swap', o.memorySwap]),
    ...(o.init ? ['--init'] : []),
    ...(o.privileged ? ['--privileged'] : []),
    ...repeat('--cap-add', o.capAdd),
    ...repeat('--security-opt', o.securityOpt),
    ...(o.user === undefined ? [] : ['--user', o.user]),
    ...(o.workdir === undefined ? [] : ['-w', o.workdir]),
    ...o.runArgs,
    ...keepAliveArgs(o),
  ];
}

function keepAliveArgs(o: RunOptions): string[] {
  const entrypoints = o.entrypoints ?? [];
  if (!o.keepAlive && entrypoints.length === 0) return [o.image];
  const script = entrypoints.length === 0 ? KEEP_ALIVE_SCRIPT : keepAliveScript(entrypoints);
  return ['--entrypoint', '/bin/sh', o.image, '-c', script, '-', ...(o.keepAlive ? [] : (o.command ?? []))];
}
