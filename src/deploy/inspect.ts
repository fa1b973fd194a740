import type { Executor } from '../remote/executor.js';

export interface ContainerInfo {
  state: string;
  running: boolean;
  image: string;
  startedAt: string | undefined;
  labels: Record<string, string>;
  /** "3000/tcp" -> host port */
  ports: Record<string, number>;
}

interface InspectJson {
  State?: { Status?: string; Running?: boolean; StartedAt?: string };
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostPort?: string }> | null> | null };
}

/** Parses `docker container inspect` output (a JSON array with one object). */
export function parseInspect(stdout: string): ContainerInfo | undefined {
  const [info] = JSON.parse(stdout) as InspectJson[];
  if (!info) return undefined;
  const ports: Record<string, number> = {};
  for (const [port, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const host = bindings?.[0]?.HostPort;
    if (host) ports[port] = Number(host);
  }
  return {
    state: info.State?.Status ?? 'unknown',
    running: Boolean(info.State?.Running),
    image: info.Config?.Image ?? '',
    startedAt: info.State?.StartedAt,
    labels: info.Config?.Labels ?? {},
    ports,
  };
}

/** The container's state, or undefined when there is no container of that name. */
export async function inspectContainer(executor: Executor, name: string, signal?: AbortSignal): Promise<ContainerInfo | undefined> {
  const result = await executor.run(['docker', 'container', 'inspect', name], signal ? { signal } : {});
  if (result.exitCode !== 0) return undefined;
  return parseInspect(result.stdout);
}
