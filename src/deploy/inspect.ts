import { dockerInspect } from '../docker/commands.js';
import { parseInspect, type ContainerInfo } from '../docker/inspect.js';
import type { Executor } from '../remote/executor.js';

/** Every named container that exists on the host (`docker inspect` of a missing one prints nothing for it). */
export async function inspectContainers(executor: Executor, names: string[], signal?: AbortSignal): Promise<ContainerInfo[]> {
  if (names.length === 0) return [];
  const result = await executor.run(dockerInspect(...names), signal ? { signal } : {});
  return parseInspect(result.stdout);
}

/** The container's state, or undefined when there is no container of that name. */
export async function inspectContainer(executor: Executor, name: string, signal?: AbortSignal): Promise<ContainerInfo | undefined> {
  return (await inspectContainers(executor, [name], signal)).find((info) => info.name === name);
}

/** `"3000/tcp": 49153` for every published port. */
export function publishedPorts(info: ContainerInfo): Record<string, number> {
  return Object.fromEntries(info.ports.map((p) => [`${p.containerPort}/${p.protocol}`, p.hostPort]));
}
