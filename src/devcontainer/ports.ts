import type { DevcontainerJson } from './schema.js';

/** A port published by `-p`: on its own VM at the same port; on a shared VM docker picks the host port. */
export interface PortPlan {
  containerPort: number;
  /** undefined: docker chooses (read it back with docker inspect after the run). */
  hostPort: number | undefined;
}

export interface PortsResult {
  /** The `-p` values, in order. */
  publish: string[];
  /** The numeric ports among them. */
  ports: PortPlan[];
  warnings: string[];
}

/** A bare `HOST:CONTAINER` or `CONTAINER` appPort string (no address), which the private default binds to loopback. */
const NO_ADDRESS = /^(\d+:)?\d+(\/(tcp|udp|sctp))?$/;

/**
 * forwardPorts and appPort (docs/configuration.md#docker-run). Numbers become `-p N:N` when the workspace has its VM to itself
 * and `-p N` on a shared VM, where the same host port would clash. `"localhost:N"` counts as N; a
 * `"service:N"` forward names another container and is skipped with a warning. Unless `open` (dev.yml
 * `ports.public`), every port is bound to the VM's loopback (`127.0.0.1:N:N`, `127.0.0.1::N`), reached through
 * `kamal-dev forward`; appPort strings that name an address pass as is.
 */
export function planPorts(json: DevcontainerJson, spread: boolean, open = false): PortsResult {
  const bind = open ? '' : '127.0.0.1:';
  const publish: string[] = [];
  const ports: PortPlan[] = [];
  const warnings: string[] = [];
  const seen = new Set<number>();
  const add = (port: number) => {
    if (seen.has(port)) return;
    seen.add(port);
    publish.push(spread ? `${bind}${port}:${port}` : open ? String(port) : `${bind}:${port}`);
    ports.push({ containerPort: port, hostPort: spread ? port : undefined });
  };
  for (const entry of json.forwardPorts ?? []) {
    if (typeof entry === 'number') add(entry);
    else if (entry.startsWith('localhost:')) add(Number(entry.slice('localhost:'.length)));
    else warnings.push(`forwardPorts: "${entry}" names another service; kamal-dev publishes only the workspace's own ports, so it is skipped`);
  }
  const app = json.appPort === undefined ? [] : Array.isArray(json.appPort) ? json.appPort : [json.appPort];
  for (const entry of app) {
    if (typeof entry === 'number') add(entry);
    else publish.push(!open && NO_ADDRESS.test(entry) ? `${bind}${entry.includes(':') ? '' : ':'}${entry}` : entry);
  }
  return { publish, ports, warnings };
}
