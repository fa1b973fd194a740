import type { Argv } from '../lib/argv.js';

/**
 * The reference devcontainer CLI's keep-alive (docs/configuration.md#docker-run), on one line: it exits 0 on SIGTERM, and
 * `exec "$@"` runs nothing, so the loop keeps a container alive whose image's own command would exit.
 */
export const KEEP_ALIVE_SCRIPT = 'echo Container started; trap "exit 0" 15; exec "$@"; while sleep 1 & wait $!; do :; done';

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
  user: string | undefined;
  workdir: string | undefined;
  /** Appended verbatim after the generated flags, so they can override them. */
  runArgs: readonly string[];
  image: string;
  /** true: `--entrypoint /bin/sh <image> -c <keep-alive> -`; false: the image's own entrypoint and command. */
  keepAlive: boolean;
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
    ...(o.keepAlive ? ['--entrypoint', '/bin/sh', o.image, '-c', KEEP_ALIVE_SCRIPT, '-'] : [o.image]),
  ];
}
