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

/**
 * forwardPorts and appPort (docs/configuration.md#docker-run). Numbers become `-p N:N` when the workspace has its VM to itself
 * and `-p N` on a shared VM, where the same host port would clash. `"localhost:N"` counts as N; a
 * `"service:N"` forward names another container and is skipped with a warning. appPort strings pass as is.
 */
export function planPorts(json: DevcontainerJson, spread: boolean): PortsResult {
  const publish: string[] = [];
  const ports: PortPlan[] = [];
  const warnings: string[] = [];
  const seen = new Set<number>();
  const add = (port: number) => {
    if (seen.has(port)) return;
    seen.add(port);
    publish.push(spread ? `${port}:${port}` : String(port));
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
    else publish.push(entry);
  }
  return { publish, ports, warnings };
}
