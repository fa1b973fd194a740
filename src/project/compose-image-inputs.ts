import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComposeBundle } from '../devcontainer/compose-config.js';
import { isRemoteContext } from '../devcontainer/compose-config.js';
import { interpolated, type ComposeServiceBuild } from '../devcontainer/compose-service.js';
import type { BaseImageSource, ComposeBuildSource } from '../devcontainer/image-source.js';
import type { Devcontainer } from '../devcontainer/parse.js';
import { ConfigError } from '../lib/errors.js';
import { contextFiles } from './build-context.js';
import { HASH_LENGTH, hashOf, layerFeatures, type ImageInputOptions } from './image-inputs.js';

/** sha256 of the files Docker would send from the context (`.dockerignore` applied) and of the Dockerfile: paths and contents. */
async function contextHash(root: string, build: ComposeServiceBuild): Promise<string> {
  const hash = createHash('sha256');
  if (isRemoteContext(build.context)) return hash.update(build.context).digest('hex');
  const context = path.join(root, build.context);
  const dockerfile = path.resolve(context, build.dockerfile);
  const inContext = path.relative(context, dockerfile).split(path.sep).join('/');
  for (const file of await contextFiles(context, inContext)) {
    hash.update(`${file}\0`).update(await readFile(path.join(context, file))).update('\0');
  }
  const text = await readFile(dockerfile).catch(() => {
    throw new ConfigError(`${build.at}: dockerfile ${path.posix.join(build.context, build.dockerfile)}: no such file`);
  });
  return hash.update('dockerfile\0').update(text).digest('hex');
}

/**
 * The image of a Compose workspace's service, as the VM will make it: the service's `image:` (pulled when
 * missing), or its `build:` built by Compose and tagged by the hash of the build's inputs; devcontainer.json's
 * features layered on it. An `image:` that Compose interpolates is left to Compose (ref ''): its label is not read,
 * and features on it are refused.
 */
export async function prepareComposeImage(dc: Devcontainer, bundle: ComposeBundle, root: string, o: ImageInputOptions): Promise<Devcontainer> {
  const { definition } = bundle;
  const hasFeatures = (dc.features ?? []).length > 0;
  const name = dc.file ?? 'devcontainer.json';
  let base: BaseImageSource | undefined;
  if (definition.build) {
    const { build } = definition;
    if (interpolated(build.context) || interpolated(build.dockerfile)) {
      if (hasFeatures) throw new ConfigError(`${build.at}: the context or dockerfile uses a variable; with features (${name}) kamal-dev builds the service itself and needs them written literally`);
    } else {
      const hash = hashOf({ build: build.written, files: await contextHash(root, build) });
      const source: ComposeBuildSource = { kind: 'compose-build', ref: `kamal-dev/${o.service}:${hash.slice(0, HASH_LENGTH)}`, hash, service: bundle.service };
      base = source;
    }
  } else if (definition.image !== undefined) {
    if (!interpolated(definition.image)) base = { kind: 'pull', ref: definition.image };
    else if (hasFeatures) throw new ConfigError(`${definition.imageAt}: "${definition.image}" uses a variable; with features (${name}) kamal-dev needs the service's image written literally`);
  }
  if (!base) {
    if (hasFeatures) throw new ConfigError(`${bundle.serviceAt}: service "${bundle.service}" has neither image: nor build: in ${bundle.files.join(', ')}; features need one`);
    return dc;
  }
  if (!o.devcontainerPath) throw new ConfigError(`${name}: features need a devcontainer.json file`);
  return layerFeatures(dc, base, { ...o, devcontainerPath: o.devcontainerPath });
}
