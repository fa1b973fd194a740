import { optionEnvFile, optionValues } from './options.js';
import { installWrapper } from './install-script.js';
import type { ResolvedFeature } from './types.js';

/** The stage the generated Dockerfile builds: `--target` of the build. */
export const TARGET_STAGE = 'dev_containers_target_stage';
export const CONTENT_SOURCE_STAGE = 'dev_containers_feature_content_source';
/** The reference CLI's fixed name of the content image (without BuildKit); kamal-dev names its own per build. */
export const CONTENT_TEMP_IMAGE = 'dev_container_feature_content_temp';
export const BUILTIN_ENV = 'devcontainer-features.builtin.env';

/** A file of the features' build context (the folder the reference CLI prepares), relative to it. */
export interface ContextFile {
  path: string;
  content: string;
  mode: number;
}

export interface FeatureLayer {
  feature: ResolvedFeature;
  /** `<id>_<n>`: the folder of its files in the context, named after its metadata id and install position. */
  folder: string;
  /** Its devcontainer-features.env. */
  envFile: string;
}

export interface FeaturesDockerfileInput {
  /** In install order. */
  features: readonly ResolvedFeature[];
  containerUser: string;
  remoteUser: string;
  /** `devcontainer.metadata` entries: the label's value, in the merge order. */
  metadata: readonly Record<string, unknown>[];
  /** devcontainer.json's containerEnv: `ENV` lines after the label, literal. */
  containerEnv: Readonly<Record<string, string>>;
  /** BuildKit: bind-mounts each feature from a named build context; otherwise copies from the content image. */
  buildKit: boolean;
  /** With BuildKit on an engine before 23: the `# syntax` line that build contexts need. */
  syntaxLine: boolean;
  /** The content image's name without BuildKit. */
  contentImage: string;
  /** A Dockerfile config's Dockerfile, its last stage named (see namedLastStage); '' for an image config. */
  userDockerfile: string;
}

export function featureLayers(features: readonly ResolvedFeature[]): FeatureLayer[] {
  return features.map((feature, index) => ({
    feature,
    folder: `${feature.metadata.id ?? feature.source.kind}_${index}`,
    envFile: optionEnvFile(optionValues(feature.metadata, feature.value)),
  }));
}

/** `_CONTAINER_USER=…` and `_REMOTE_USER=…`, unquoted, each on its line. */
export function builtinEnv(containerUser: string, remoteUser: string): string {
  return `_CONTAINER_USER=${containerUser}\n_REMOTE_USER=${remoteUser}\n`;
}

/** The files of the features' context besides the features' own: built-in env, and per feature its env and wrapper. */
export function featureContextFiles(input: Pick<FeaturesDockerfileInput, 'features' | 'containerUser' | 'remoteUser'>): ContextFile[] {
  const files: ContextFile[] = [{ path: BUILTIN_ENV, content: builtinEnv(input.containerUser, input.remoteUser), mode: 0o644 }];
  for (const layer of featureLayers(input.features)) {
    files.push({ path: `${layer.folder}/devcontainer-features.env`, content: layer.envFile, mode: 0o644 });
    files.push({ path: `${layer.folder}/devcontainer-features-install.sh`, content: installWrapper(layer.feature, layer.envFile), mode: 0o755 });
  }
  return files;
}

/** The content image's Dockerfile without BuildKit: the whole context copied to /tmp/build-features/. */
export const BUILD_CONTENT_DOCKERFILE = '\n\tFROM scratch\n\tCOPY . /tmp/build-features/\n\t';

/** `ENV KEY="value"` with `"` and `\` escaped, and `$` too when `literal` (devcontainer.json's own containerEnv). */
export function envLine(key: string, value: string, literal: boolean): string {
  const escaped = value.replace(literal ? /["\\$]/g : /["\\]/g, (c) => `\\${c}`);
  return `ENV ${key}="${escaped}"`;
}

/** The home folder of `user` in the image, as the reference finds it: getent, else /etc/passwd by name or uid. */
function homeOf(user: string): string {
  const quoted = `'${user.replaceAll("'", "'\\''")}'`;
  const pattern = user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `$( (command -v getent >/dev/null 2>&1 && getent passwd ${quoted} || grep -E '^${pattern}|^[^:]*:[^:]*:${pattern}:' /etc/passwd || true) | cut -d: -f6)`;
}

/** The `LABEL devcontainer.metadata="[ … ]"` line: one entry per line, `"`, `\` and `$` escaped. */
export function metadataLabel(entries: readonly Record<string, unknown>[]): string {
  const lines = entries.map((entry) => JSON.stringify(entry).replace(/["\\$]/g, (c) => `\\${c}`));
  return `LABEL devcontainer.metadata="[ \\\n${lines.join(', \\\n')} \\\n]"`;
}

function layerText(layer: FeatureLayer, buildKit: boolean): string {
  const env = Object.entries(layer.feature.metadata.containerEnv ?? {})
    .map(([key, value]) => envLine(key, value, false))
    .join('\n');
  const dir = `/tmp/dev-container-features/${layer.folder}`;
  const steps = buildKit
    ? [
        `RUN --mount=type=bind,from=${CONTENT_SOURCE_STAGE},source=${layer.folder},target=/tmp/build-features-src/${layer.folder} \\`,
        `    cp -ar /tmp/build-features-src/${layer.folder} /tmp/dev-container-features \\`,
        ` && chmod -R 0755 ${dir} \\`,
        ` && cd ${dir} \\`,
        ' && chmod +x ./devcontainer-features-install.sh \\',
        ' && ./devcontainer-features-install.sh \\',
        ` && rm -rf ${dir}`,
      ]
    : [
        `COPY --chown=root:root --from=${CONTENT_SOURCE_STAGE} /tmp/build-features/${layer.folder} ${dir}`,
        `RUN chmod -R 0755 ${dir} \\`,
        `&& cd ${dir} \\`,
        '&& chmod +x ./devcontainer-features-install.sh \\',
        '&& ./devcontainer-features-install.sh',
      ];
  return `\n${env}\n${steps.join('\n')}`;
}

/** The Dockerfile that layers the features on the base image, laid out as the reference CLI's `Dockerfile.extended`. */
export function featuresDockerfile(input: FeaturesDockerfileInput): string {
  const layers = featureLayers(input.features);
  const builtinSource = input.buildKit ? BUILTIN_ENV : `/tmp/build-features/${BUILTIN_ENV}`;
  const contentStage = input.buildKit ? '' : `FROM ${input.contentImage} as ${CONTENT_SOURCE_STAGE}`;
  const featureEnv = Object.entries(input.containerEnv).map(([key, value]) => envLine(key, value, true));
  return [
    input.syntaxLine ? '# syntax=docker/dockerfile:1.4' : '',
    'ARG _DEV_CONTAINERS_BASE_IMAGE=scratch',
    '',
    input.userDockerfile,
    contentStage,
    '',
    'ARG _DEV_CONTAINERS_BASE_IMAGE=scratch',
    '',
    'FROM $_DEV_CONTAINERS_BASE_IMAGE AS dev_containers_feature_content_normalize',
    'USER root',
    `COPY --from=${CONTENT_SOURCE_STAGE} ${builtinSource} /tmp/build-features/`,
    'RUN chmod -R 0755 /tmp/build-features/',
    '',
    `FROM $_DEV_CONTAINERS_BASE_IMAGE AS ${TARGET_STAGE}`,
    '',
    'USER root',
    '',
    'RUN mkdir -p /tmp/dev-container-features',
    'COPY --from=dev_containers_feature_content_normalize /tmp/build-features/ /tmp/dev-container-features',
    '',
    'RUN \\',
    `echo "_CONTAINER_USER_HOME=${homeOf(input.containerUser)}" >> /tmp/dev-container-features/${BUILTIN_ENV} && \\`,
    `echo "_REMOTE_USER_HOME=${homeOf(input.remoteUser)}" >> /tmp/dev-container-features/${BUILTIN_ENV}`,
    layers.map((layer) => layerText(layer, input.buildKit)).join('\n'),
    '',
    '',
    '',
    '',
    '',
    'ARG _DEV_CONTAINERS_IMAGE_USER=root',
    'USER $_DEV_CONTAINERS_IMAGE_USER',
    '',
    metadataLabel(input.metadata),
    '',
    featureEnv.join('\n'),
    '',
  ].join('\n');
}
