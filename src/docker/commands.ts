import type { Argv } from '../lib/argv.js';

export interface ExecOptions {
  container: string;
  /** `-u`; undefined runs as the container's user. */
  user?: string | undefined;
  /** `-w`; undefined runs in the container's working directory. */
  workdir?: string | undefined;
  /** `--env-file`: remoteEnv, read by the docker client on the VM, so no value is on a command line there. */
  envFile?: string | undefined;
  /** `-e KEY=VALUE` (never for values that may be secret: use envFile). */
  env?: readonly (readonly [string, string])[];
  /** Attach stdin (`-i`), and a terminal (`-t`) too when `tty`. */
  interactive?: boolean;
  tty?: boolean;
  argv: Argv;
}

/** `docker exec [-i [-t]] [-u user] [-w dir] [--env-file F] [-e K=V]… <container> <argv…>`. */
export function dockerExec(o: ExecOptions): Argv {
  return [
    'docker', 'exec',
    ...(o.interactive ? ['-i'] : []),
    ...(o.interactive && o.tty ? ['-t'] : []),
    ...(o.user === undefined ? [] : ['-u', o.user]),
    ...(o.workdir === undefined ? [] : ['-w', o.workdir]),
    ...(o.envFile === undefined ? [] : ['--env-file', o.envFile]),
    ...(o.env ?? []).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
    o.container,
    ...o.argv,
  ];
}

/** `docker stop -t <seconds> <container>`: SIGTERM, then SIGKILL after the timeout. */
export function dockerStop(container: string, timeoutSeconds = 10): Argv {
  return ['docker', 'stop', '-t', String(Math.max(0, Math.round(timeoutSeconds))), container];
}

export function dockerStart(container: string): Argv {
  return ['docker', 'start', container];
}

/** `docker rm -f`: stops and removes; exits 0 only when the container existed. */
export function dockerRemove(container: string): Argv {
  return ['docker', 'rm', '-f', container];
}

/** `docker inspect --type container`: a JSON array on stdout (`[]` and exit 1 when nothing matches). */
export function dockerInspect(...containers: string[]): Argv {
  return ['docker', 'inspect', '--type', 'container', ...containers];
}

/** Names of every container (running or not) carrying all of `labels`, one per line. */
export function dockerPs(labels: Readonly<Record<string, string>>): Argv {
  const filters = Object.entries(labels).flatMap(([key, value]) => ['--filter', `label=${key}=${value}`]);
  return ['docker', 'ps', '--all', '--no-trunc', ...filters, '--format', '{{.Names}}'];
}

/** Container names from `dockerPs` output. */
export function parsePsNames(stdout: string): string[] {
  return stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

export function dockerPull(image: string): Argv {
  return ['docker', 'pull', image];
}

export interface LogsOptions {
  container: string;
  follow?: boolean;
  /** `-n`: the last N lines. */
  tail?: number | undefined;
  /** `--since`: a duration (`10m`) or a timestamp, as docker reads it. */
  since?: string | undefined;
}

/** `docker logs [-f] [-n N] [--since T] <container>`: stdout and stderr of the container's main process. */
export function dockerLogs(o: LogsOptions): Argv {
  return [
    'docker', 'logs',
    ...(o.follow ? ['-f'] : []),
    ...(o.tail === undefined ? [] : ['-n', String(o.tail)]),
    ...(o.since === undefined ? [] : ['--since', o.since]),
    o.container,
  ];
}

/** The variable that marks every process of one `kamal-dev exec` in a container, so Ctrl-C can end them all. */
export const EXEC_MARKER = 'KAMAL_DEV_EXEC';

/**
 * Ends, with SIGTERM, every process in the container whose environment carries `EXEC_MARKER=<marker>` (the
 * command and all it started: the variable is inherited), as the user that started them. Ending the docker
 * client on the VM does not end what it started in the container (docs/commands.md#exec).
 */
export function dockerKillMarked(container: string, user: string | undefined, marker: string): Argv {
  const script = 'for f in /proc/[0-9]*/environ; do if tr "\\0" "\\n" < "$f" 2>/dev/null | grep -qx "$0"; then p=${f#/proc/}; kill -TERM "${p%/environ}" 2>/dev/null; fi; done; exit 0';
  return ['docker', 'exec', ...(user === undefined ? [] : ['-u', user]), container, '/bin/sh', '-c', script, `${EXEC_MARKER}=${marker}`];
}
