import { CONTENT_TEMP_IMAGE, featuresDockerfile } from '../devcontainer/features/dockerfile.js';
import { optionValues } from '../devcontainer/features/options.js';
import type { BaseImageSource, ImageSource } from '../devcontainer/image-source.js';
import { devcontainerEntry, featureEntry, imageLabelEntries } from '../devcontainer/metadata-merge.js';
import type { DevcontainerJson } from '../devcontainer/schema.js';
import { assertNever } from '../lib/assert-never.js';
import { featureUsers } from './image.js';

function baseJson(source: BaseImageSource) {
  if (source.kind === 'pull') return { kind: 'pull', ref: source.ref };
  if (source.kind === 'compose-build') return { kind: 'compose-build', ref: source.ref, hash: source.hash, service: source.service };
  return { kind: 'build', ref: source.ref, hash: source.hash, dockerfile: source.dockerfile, args: source.args, target: source.target ?? null, cache_from: source.cacheFrom, options: source.options };
}

/**
 * The features Dockerfile a deploy would generate, as far as the dry run knows: the base image is not inspected,
 * so its label and user are taken as none (a deploy reads them on the VM).
 */
export function previewFeaturesDockerfile(source: ImageSource, json: DevcontainerJson): string | undefined {
  if (source.kind !== 'features') return undefined;
  const jsonEntry = devcontainerEntry(json, { withRemoteEnv: false });
  return featuresDockerfile({
    features: source.features, ...featureUsers([jsonEntry], ''), metadata: imageLabelEntries([], source.features.map(featureEntry), jsonEntry),
    containerEnv: json.containerEnv ?? {}, buildKit: false, syntaxLine: false, contentImage: CONTENT_TEMP_IMAGE, userDockerfile: '',
  });
}

/** The image source in the JSON of `deploy --dry-run`: pull, build with its inputs' hash, or features. */
export function imageSourceJson(source: ImageSource, json: DevcontainerJson): unknown {
  switch (source.kind) {
    case 'pull':
    case 'build':
    case 'compose-build':
      return baseJson(source);
    case 'features':
      return {
        kind: 'features', ref: source.ref, hash: source.hash, base: baseJson(source.base),
        features: source.features.map((f) => ({ id: f.userId, digest: f.digest ?? null, options: optionValues(f.metadata, f.value) })),
        dockerfile: previewFeaturesDockerfile(source, json),
      };
    default:
      return assertNever(source, 'image source');
  }
}

function baseLine(source: BaseImageSource): string {
  if (source.kind === 'pull') return `pull ${source.ref}`;
  if (source.kind === 'compose-build') return `Compose build of service ${source.service} as ${source.ref} (inputs ${source.hash.slice(0, 12)})`;
  const args = Object.entries(source.args).map(([k, v]) => `${k}=${v}`).join(' ');
  return `build ${source.ref} (inputs ${source.hash.slice(0, 12)}; ${source.dockerfile}${source.target ? `, target ${source.target}` : ''}${args ? `, args ${args}` : ''})`;
}

/** The dry run's lines about the image, indented under the workspace. */
export function imageSourceLines(source: ImageSource, json: DevcontainerJson): string[] {
  if (source.kind !== 'features') return [`  image: ${baseLine(source)}`];
  const lines = [`  image: ${source.ref}: ${source.features.length} feature(s) on ${baseLine(source.base)}`];
  for (const f of source.features) lines.push(`    feature ${f.userId} ${f.digest ?? '(local)'} ${JSON.stringify(optionValues(f.metadata, f.value))}`);
  lines.push('  generated Dockerfile (the base image\'s own label and user are read at deploy):');
  for (const line of previewFeaturesDockerfile(source, json)!.split('\n')) lines.push(`    ${line}`);
  return lines;
}
