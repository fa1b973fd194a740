import { z } from 'zod';
import type { Argv } from '../lib/argv.js';

export interface BuildOptions {
  tag: string;
  /** The Dockerfile's path on the VM. */
  dockerfile: string;
  /** The context folder on the VM. */
  context: string;
  buildArgs: readonly (readonly [string, string])[];
  target: string | undefined;
  cacheFrom: readonly string[];
  /** build.options, appended verbatim before the context. */
  options: readonly string[];
}

/** `docker build` as an argv: BuildKit when the engine uses it by default, the legacy builder otherwise. */
export function dockerBuild(o: BuildOptions): Argv {
  return [
    'docker', 'build',
    '-t', o.tag,
    '-f', o.dockerfile,
    ...o.buildArgs.flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...(o.target === undefined ? [] : ['--target', o.target]),
    ...o.cacheFrom.flatMap((ref) => ['--cache-from', ref]),
    ...o.options,
    o.context,
  ];
}

/** The image's config as one JSON line (or a non-zero exit when the image is not there). */
export function dockerImageConfig(ref: string): Argv {
  return ['docker', 'image', 'inspect', '--format', '{{json .Config}}', ref];
}

export function dockerImageRemove(ref: string): Argv {
  return ['docker', 'image', 'rm', ref];
}

export function dockerTag(from: string, to: string): Argv {
  return ['docker', 'tag', from, to];
}

export function dockerPush(ref: string): Argv {
  return ['docker', 'push', ref];
}

const ImageConfig = z.looseObject({
  User: z.string().nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
  Entrypoint: z.array(z.string()).nullish(),
  Cmd: z.array(z.string()).nullish(),
});

export interface ImageConfigInfo {
  /** Config.User; '' when the image sets none. */
  user: string;
  labels: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
}

/** Reads dockerImageConfig's output; throws on anything else. */
export function parseImageConfig(stdout: string): ImageConfigInfo {
  const config = ImageConfig.parse(JSON.parse(stdout.trim()));
  return { user: config.User ?? '', labels: config.Labels ?? {}, entrypoint: config.Entrypoint ?? [], cmd: config.Cmd ?? [] };
}
