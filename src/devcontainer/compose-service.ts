import path from 'node:path';
import { parse } from 'yaml';
import { isRemoteContext } from './compose-config.js';

/** The workspace service's `build:` merged across the compose files, as Compose merges a mapping key by key. */
export interface ComposeServiceBuild {
  /** Project-relative (the folder of the first compose file), or a remote URL as written. */
  context: string;
  /** Relative to the context, as Compose reads it (default `Dockerfile`). */
  dockerfile: string;
  /** The merged `build:` mapping as written (args, target, …): part of the base image's hash. */
  written: Record<string, unknown>;
  /** `<file>: services.<service>.build`, for messages. */
  at: string;
}

/** What the compose files say about the workspace service's image and its start command. */
export interface ComposeServiceDefinition {
  /** `image:` as the last file that sets it writes it. */
  image: string | undefined;
  imageAt: string | undefined;
  build: ComposeServiceBuild | undefined;
  /** `entrypoint:` and `command:` in list form (a string split at white space); undefined when no file sets them. */
  entrypoint: string[] | undefined;
  command: string[] | undefined;
  /** The other services that have a `build:` (sorted). */
  otherBuilds: string[];
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function listForm(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.trim() === '' ? [] : value.trim().split(/\s+/);
  if (Array.isArray(value)) return value.map(String);
  return value === null ? [] : undefined;
}

/**
 * The workspace service of the compose files (texts in `files` order, already checked by composeProject): its
 * image, its build merged across the files, its entrypoint and command, and which other services build.
 */
export function composeServiceDefinition(files: readonly string[], texts: readonly string[], service: string): ComposeServiceDefinition {
  const projectDir = path.posix.dirname(files[0]!);
  const result: ComposeServiceDefinition = { image: undefined, imageAt: undefined, build: undefined, entrypoint: undefined, command: undefined, otherBuilds: [] };
  let build: Record<string, unknown> | undefined;
  let buildAt = '';
  const others = new Set<string>();
  files.forEach((file, i) => {
    const doc: unknown = parse(texts[i]!);
    const services = isMapping(doc) && isMapping(doc.services) ? doc.services : {};
    for (const [name, definition] of Object.entries(services)) {
      if (name !== service && isMapping(definition) && definition.build !== undefined && definition.build !== null) others.add(name);
    }
    const own = services[service];
    if (!isMapping(own)) return;
    if (typeof own.image === 'string') {
      result.image = own.image;
      result.imageAt = `${file}: services.${service}.image`;
    }
    if (typeof own.build === 'string') build = { ...build, context: own.build };
    else if (isMapping(own.build)) build = { ...build, ...own.build };
    if (own.build !== undefined) buildAt = `${file}: services.${service}.build`;
    if (own.entrypoint !== undefined) result.entrypoint = listForm(own.entrypoint);
    if (own.command !== undefined) result.command = listForm(own.command);
  });
  if (build) {
    const written = typeof build.context === 'string' ? build.context : '.';
    const context = isRemoteContext(written) ? written : path.posix.normalize(path.posix.join(projectDir, written));
    result.build = { context, dockerfile: typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile', written: build, at: buildAt };
  }
  result.otherBuilds = [...others].sort();
  return result;
}

/** Whether Compose would interpolate the value (a variable the VM's environment sets): unknown before `up`. */
export function interpolated(value: string): boolean {
  return value.replaceAll('$$', '').includes('$');
}
