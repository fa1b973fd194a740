import { createHash } from 'node:crypto';
import path from 'node:path';
import { installOrder } from '../devcontainer/features/order.js';
import type { BaseImageSource, FeaturesSource } from '../devcontainer/image-source.js';
import { devcontainerEntry } from '../devcontainer/metadata-merge.js';
import type { Devcontainer } from '../devcontainer/parse.js';
import { ConfigError } from '../lib/errors.js';
import { packContext } from './build-context.js';
import { packFeatures } from './features/content.js';
import { lockfilePath } from './features/lockfile.js';
import { resolveFeatures } from './features/resolve.js';

export interface ImageInputOptions {
  /** devcontainer.json on this machine; undefined for dev.yml's image reference. */
  devcontainerPath: string | undefined;
  service: string;
  /** registry.server: the image run (a build, or features) is then `<server>/kamal-dev/<service>:<hash>`. */
  registry?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal | undefined;
}

export const HASH_LENGTH = 20;
export const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** Where feature archives are cached, by digest: the user's cache folder. */
export function featureCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME ?? '.', '.cache');
  return path.join(base, 'kamal-dev', 'features');
}

/** The image under registry.server, so that every VM names it the same; a features image's base stays on the VM that builds it. */
const inRegistry = (ref: string, server: string | undefined) => (server === undefined ? ref : `${server}/${ref}`);

/**
 * The image source of a Dockerfile build or of features, made on this machine: the context packed (with
 * .dockerignore), the features fetched (registries, local folders, tarball URLs) and ordered, all tagged
 * `kamal-dev/<service>:<hash of the inputs>`. An image-only devcontainer comes back as it is.
 */
export async function prepareImageInputs(dc: Devcontainer, o: ImageInputOptions): Promise<Devcontainer> {
  const features = dc.features ?? [];
  if (!dc.build && features.length === 0) return dc;
  const name = dc.file ?? 'devcontainer.json';
  if (!o.devcontainerPath) throw new ConfigError(`${name}: a build or features need a devcontainer.json file`);
  const folder = path.dirname(o.devcontainerPath);
  let base: BaseImageSource = { kind: 'pull', ref: dc.json.image };
  if (dc.build) {
    const { build } = dc;
    const packed = await packContext(path.resolve(folder, build.context), path.resolve(folder, build.dockerfile), name);
    const hash = hashOf({ context: packed.hash, dockerfile: packed.dockerfile, args: build.args, target: build.target, cacheFrom: build.cacheFrom, options: build.options });
    base = {
      kind: 'build', ref: `kamal-dev/${o.service}:${hash.slice(0, HASH_LENGTH)}`, hash, context: packed.tar, dockerfile: packed.dockerfile,
      args: build.args, target: build.target, cacheFrom: build.cacheFrom, options: build.options,
    };
  }
  return layerFeatures(dc, base, { ...o, devcontainerPath: o.devcontainerPath });
}

/**
 * devcontainer.json's features on `base` (a pulled image, a Dockerfile build or a Compose service's build),
 * fetched and ordered here: the features source tagged by the hash of the base and the features; without
 * features, the base itself.
 */
export async function layerFeatures(dc: Devcontainer, base: BaseImageSource, o: ImageInputOptions & { devcontainerPath: string }): Promise<Devcontainer> {
  const features = dc.features ?? [];
  if (features.length === 0) {
    const image = base.kind === 'build' ? { ...base, ref: inRegistry(base.ref, o.registry) } : base;
    return { ...dc, image, json: { ...dc.json, image: image.ref } };
  }
  const name = dc.file ?? 'devcontainer.json';
  const folder = path.dirname(o.devcontainerPath);
  const resolved = await resolveFeatures(features, {
    folder, file: name, lockfile: lockfilePath(o.devcontainerPath), cacheDir: featureCacheDir(o.env), env: o.env, signal: o.signal,
  });
  const order = installOrder(resolved.roots, dc.featureOrder ?? [], name);
  const content = await packFeatures(order, resolved.content);
  const hash = hashOf({
    base: base.kind === 'pull' ? base.ref : base.hash,
    content: createHash('sha256').update(content.tar).digest('hex'),
    devcontainer: devcontainerEntry(dc.json, { withRemoteEnv: false }),
  });
  const image: FeaturesSource = {
    kind: 'features', ref: inRegistry(`kamal-dev/${o.service}:${hash.slice(0, HASH_LENGTH)}`, o.registry), hash, base, features: order, content: content.tar, generated: content.generated,
  };
  return { ...dc, image, json: { ...dc.json, image: image.ref } };
}
