import { DOCKER_NAME } from './schema.js';

/** Expands `{service}`, `{index}` and `{index:0N}` (zero-padded to N digits) in a naming pattern. */
export function workspaceName(pattern: string, service: string, index: number): string {
  return pattern
    .replaceAll('{service}', service)
    .replace(/\{index(?::0(\d))?\}/g, (_, width: string | undefined) => String(index).padStart(Number(width ?? 0), '0'));
}

/** Why `name` is not a valid docker container name, or undefined when it is. */
export function invalidDockerName(name: string): string | undefined {
  if (name.length < 2) return `"${name}" is too short for a docker name`;
  if (name.length > 63) return `"${name}" is longer than 63 characters`;
  if (!DOCKER_NAME.test(name)) return `"${name}" is not a valid docker name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)`;
  return undefined;
}

/** The index a workspace name was made with, when it matches the pattern for this service. */
export function indexOfName(pattern: string, service: string, name: string): number | undefined {
  const escaped = pattern
    .split(/(\{index(?::0\d)?\})/)
    .map((part) => (/^\{index/.test(part) ? '(\\d+)' : part.replaceAll('{service}', service).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const match = new RegExp(`^${escaped}$`).exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
