import { createHash } from 'node:crypto';
import type { Argv } from '../lib/argv.js';

/** Which Compose runs a VM's projects: Docker's v2 plugin (`docker compose`) or the standalone `docker-compose`. */
export interface ComposeEngine {
  /** The argv prefix: `docker compose` or `docker-compose`. */
  command: readonly string[];
  /** As `version --short` printed it, `v` stripped. */
  version: string;
  /** 1 for the Python docker-compose; 2 and up for the Go one (also when installed as `docker-compose`). */
  major: number;
}

export const COMPOSE_PLUGIN: readonly string[] = ['docker', 'compose'];
export const COMPOSE_STANDALONE: readonly string[] = ['docker-compose'];

/** What asks an engine its version: the bare number, in both v1 and v2. */
export function composeVersionArgv(command: readonly string[]): Argv {
  return [...command, 'version', '--short'];
}

/** The engine from one `version --short` answer, or undefined when that command is not there (or not Compose). */
export function composeEngineOf(command: readonly string[], answer: { exitCode: number; stdout: string }): ComposeEngine | undefined {
  if (answer.exitCode !== 0) return undefined;
  // Decided by the number it prints, never by the name or the exit code of a flag (v1 exits 0 on unknown flags).
  const match = /^v?(\d+)\.(\d+)(\.\d+)?\S*$/.exec(answer.stdout.trim());
  if (!match) return undefined;
  return { command, version: answer.stdout.trim().replace(/^v/, ''), major: Number(match[1]) };
}

/** The plugin when the VM has it, else the standalone command, else undefined (see noComposeMessage). */
export function chooseComposeEngine(
  plugin: { exitCode: number; stdout: string },
  standalone: { exitCode: number; stdout: string } | undefined,
): ComposeEngine | undefined {
  return composeEngineOf(COMPOSE_PLUGIN, plugin) ?? (standalone ? composeEngineOf(COMPOSE_STANDALONE, standalone) : undefined);
}

export function noComposeMessage(host: string): string {
  return `${host}: Docker Compose is not installed: neither \`docker compose\` (Docker's Compose v2 plugin) nor \`docker-compose\` answers \`version --short\``;
}

/**
 * The Compose project of a workspace: the name itself when it is already of the form both v1 and v2 accept
 * (`^[a-z0-9][a-z0-9_-]*$`); otherwise normalised as v1 would and made unique again by a short hash, since
 * v2 refuses a `-p` it would have to normalise and v1 would merge `Dev.1` and `dev1` silently.
 */
export function composeProjectName(workspace: string): string {
  if (/^[a-z0-9][a-z0-9_-]*$/.test(workspace)) return workspace;
  const normal = workspace.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[-_]+/, '');
  const hash = createHash('sha256').update(workspace).digest('hex').slice(0, 8);
  return normal ? `${normal}-${hash}` : `ws-${hash}`;
}

/** One Compose project on a VM: which engine, its name, its files (absolute, in merge order, the override last). */
export interface ComposeInvocation {
  engine: readonly string[];
  project: string;
  files: readonly string[];
}

/** `<engine> -p <project> -f <file>… <args…>`: every command names the files, as v1 needs even for `down`. */
export function composeArgv(c: ComposeInvocation, ...args: string[]): Argv {
  return [...c.engine, '-p', c.project, ...c.files.flatMap((file) => ['-f', file]), ...args];
}

/** `up -d --build --remove-orphans [services…]`: builds what has `build:`, recreates what changed, leaves the rest. */
export function composeUp(c: ComposeInvocation, services: readonly string[] | undefined): Argv {
  return composeArgv(c, 'up', '-d', '--build', '--remove-orphans', ...(services ?? []));
}

export function composeStop(c: ComposeInvocation): Argv {
  return composeArgv(c, 'stop');
}

export function composeStart(c: ComposeInvocation): Argv {
  return composeArgv(c, 'start');
}

/** `down -v --rmi local --remove-orphans`: the project's containers, networks, the volumes its files declare and the images it built. */
export function composeDown(c: ComposeInvocation): Argv {
  return composeArgv(c, 'down', '-v', '--rmi', 'local', '--remove-orphans');
}

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

/**
 * Removes whatever still carries the project's label after `down` (a volume no file declares any more, a
 * container of a service removed from the files), with docker alone: both Compose versions label the same way.
 */
export function composeSweep(project: string): Argv {
  const script = [
    'for c in $(docker ps -aq --filter "$1"); do docker rm -f "$c" >/dev/null; done',
    'for n in $(docker network ls -q --filter "$1"); do docker network rm "$n" >/dev/null; done',
    'for v in $(docker volume ls -q --filter "$1"); do docker volume rm -f "$v" >/dev/null; done',
  ].join('; ');
  return ['sh', '-c', script, 'compose-sweep', `label=${COMPOSE_PROJECT_LABEL}=${project}`];
}

/** The ids of one service's containers in the project, newest first (for `logs --service`), found by label. */
export function composeServiceContainer(project: string, service: string): Argv {
  return ['docker', 'ps', '-aq', '--filter', `label=${COMPOSE_PROJECT_LABEL}=${project}`, '--filter', `label=${COMPOSE_SERVICE_LABEL}=${service}`];
}

/** `<service> <state>` of every container of the project, one per line (status). */
export function composeProjectPs(project: string): Argv {
  return ['docker', 'ps', '-a', '--filter', `label=${COMPOSE_PROJECT_LABEL}=${project}`, '--format', `{{.Label "${COMPOSE_SERVICE_LABEL}"}} {{.State}}`];
}

/** composeProjectPs output as service → state, sorted by service (several containers of one: their states joined by `,`). */
export function parseProjectPs(stdout: string): Record<string, string> {
  const states = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const [service, state] = line.trim().split(/\s+/);
    if (!service || !state) continue;
    states.set(service, [...(states.get(service) ?? []), state]);
  }
  return Object.fromEntries([...states].sort(([a], [b]) => a.localeCompare(b)).map(([service, list]) => [service, list.sort().join(',')]));
}
