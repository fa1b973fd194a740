import { z } from 'zod';

const PortBinding = z.looseObject({ HostIp: z.string().optional(), HostPort: z.string() });

/** The part of `docker inspect --type container` output kamal-dev reads; other keys are kept unread. */
const InspectEntry = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Created: z.string().optional(),
  State: z.looseObject({
    Status: z.string(),
    Running: z.boolean(),
    ExitCode: z.number().int().optional(),
    StartedAt: z.string().optional(),
    FinishedAt: z.string().optional(),
  }),
  Image: z.string(),
  Config: z.looseObject({
    Image: z.string(),
    Labels: z.record(z.string(), z.string()).nullish(),
  }),
  NetworkSettings: z
    .looseObject({ Ports: z.record(z.string(), z.array(PortBinding).nullable()).nullish() })
    .optional(),
});

export interface PublishedPort {
  /** e.g. 3000 */
  containerPort: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

export interface ContainerInfo {
  id: string;
  /** Without docker's leading `/`. */
  name: string;
  /** created | running | paused | restarting | removing | exited | dead */
  status: string;
  running: boolean;
  exitCode: number | undefined;
  /** The image as it was named at `docker run`. */
  image: string;
  imageId: string;
  /** undefined when the container never started (docker reports 0001-01-01). */
  startedAt: Date | undefined;
  ports: PublishedPort[];
  labels: Record<string, string>;
}

function startedAt(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Parses `docker inspect` output (a JSON array). Throws on text that is not that shape. */
export function parseInspect(stdout: string): ContainerInfo[] {
  let data: unknown;
  try {
    data = JSON.parse(stdout.trim() === '' ? '[]' : stdout);
  } catch {
    throw new Error(`docker inspect printed something that is not JSON: ${stdout.slice(0, 80)}`);
  }
  const parsed = z.array(InspectEntry).safeParse(data);
  if (!parsed.success) throw new Error(`docker inspect output has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data.map((entry) => {
    const ports: PublishedPort[] = [];
    for (const [key, bindings] of Object.entries(entry.NetworkSettings?.Ports ?? {})) {
      const [port = '', protocol = 'tcp'] = key.split('/');
      for (const binding of bindings ?? []) {
        ports.push({ containerPort: Number(port), protocol, hostIp: binding.HostIp ?? '', hostPort: Number(binding.HostPort) });
      }
    }
    return {
      id: entry.Id,
      name: entry.Name.replace(/^\//, ''),
      status: entry.State.Status,
      running: entry.State.Running,
      exitCode: entry.State.ExitCode,
      image: entry.Config.Image,
      imageId: entry.Image,
      startedAt: startedAt(entry.State.StartedAt),
      ports,
      labels: entry.Config.Labels ?? {},
    };
  });
}
