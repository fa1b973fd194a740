/** One entry of `provider.hosts`: `HOST`, `USER@HOST` or `USER@HOST:PORT` (an IPv6 address in brackets). */
export interface HostEntry {
  /** The entry as written: the VM ID recorded in the state. */
  entry: string;
  host: string;
  user: string | undefined;
  port: number | undefined;
}

const USER = '[a-z_][a-z0-9_.-]*';
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?';
const IPV6 = '\\[[0-9A-Fa-f:.]+\\]';
const ENTRY = new RegExp(`^(?:(${USER})@)?(${NAME}|${IPV6})(?::(\\d{1,5}))?$`, 'i');

/** The entry's parts, or undefined when it is not one of the three forms (or a port is given without a user). */
export function parseHost(entry: string): HostEntry | undefined {
  const match = ENTRY.exec(entry);
  if (!match) return undefined;
  const [, user, rawHost, rawPort] = match;
  if (rawPort !== undefined && user === undefined) return undefined;
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { entry, host: rawHost!.replace(/^\[|\]$/g, ''), user, port };
}
