import path from 'node:path';
import type { BaseImageSource, BuildSource, ComposeBuildSource, FeaturesSource, ImageSource } from '../devcontainer/image-source.js';
import { BUILD_CONTENT_DOCKERFILE, BUILTIN_ENV, builtinEnv, featuresDockerfile, TARGET_STAGE } from '../devcontainer/features/dockerfile.js';
import { devcontainerEntry, featureEntry, imageLabelEntries, parseMetadataLabel, type MetadataEntry } from '../devcontainer/metadata-merge.js';
import type { DevcontainerJson } from '../devcontainer/schema.js';
import { dockerBuild, dockerImageConfig, dockerImageRemove, parseImageConfig, type BuildOptions, type ImageConfigInfo } from '../docker/build.js';
import { dockerPull } from '../docker/commands.js';
import { assertNever } from '../lib/assert-never.js';
import { AppError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import { check, runWithOutput } from '../remote/check.js';
import type { Argv, Executor } from '../remote/executor.js';
import { appendStdin } from '../remote/script.js';
import { lifecycleLogEntry } from './lifecycle-log.js';
import { imageViaRegistry, type RegistryContext } from './registry-image.js';
import type { StepReporter } from './runner.js';
import { buildDir, lifecycleLogPath } from './workspace-paths.js';
import type { ImageFacts } from './workspace.js';

const METADATA_LABEL = 'devcontainer.metadata';
/** Lines of the build log a failure message carries. */
const LOG_TAIL_LINES = 15;

/** Where and for whom an image is made ready: the workspace (its build folder and lifecycle log) on its VM. */
export interface ImageContext {
  executor: Executor;
  workspace: string;
  home: string;
  /** devcontainer.json (variables substituted): its metadata entry goes into a features image's label. */
  json: DevcontainerJson;
  step: StepReporter;
  signal?: AbortSignal | undefined;
  /** A Compose workspace: builds its service's `build:` with Compose, tagged as the source says (src/deploy/compose-image.ts). */
  composeBuild?: ((source: ComposeBuildSource) => Promise<void>) | undefined;
  /** registry: of config/dev.yml: a built image is pushed once per run and pulled by the other VMs. */
  registry?: RegistryContext | undefined;
}

/** The image is ready on the VM; `pulled`: this run pulled it (a pull on a changed spec is then not repeated). */
export interface ReadyImage {
  facts: ImageFacts;
  pulled: boolean;
}

/** A failed `docker build`: the workspace is marked failed with the end of the build log. */
export class BuildFailedError extends AppError {
  override name = 'BuildFailedError';
  constructor(what: string, exitCode: number, log: string) {
    const tail = log.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    super(`${what} failed (exit ${exitCode}); the end of its log (all of it in logs NAME --lifecycle):\n${tail}`, ExitCode.failed);
  }
}

/** The image's config, or undefined when the VM does not have it. */
export async function imageConfig(executor: Executor, ref: string, signal?: AbortSignal): Promise<ImageConfigInfo | undefined> {
  const result = await executor.run(dockerImageConfig(ref), signal ? { signal } : {});
  return result.exitCode === 0 ? parseImageConfig(result.stdout) : undefined;
}

function factsOf(config: ImageConfigInfo, source: ImageSource): ImageFacts {
  const entries = parseMetadataLabel(config.labels[METADATA_LABEL]);
  // A features image's label ends with devcontainer.json's entry as it was at the build: the current one replaces it.
  // An empty one is left out of the label, so the last entry is then a feature's (every feature's entry has its id).
  const last = entries.at(-1);
  const metadata = source.kind === 'features' && last !== undefined && typeof last.id !== 'string' ? entries.slice(0, -1) : entries;
  return { metadata, entrypointAndCmd: [...config.entrypoint, ...config.cmd], entrypoint: config.entrypoint, cmd: config.cmd };
}

/** What the workspace's image says about itself, if the VM has it (exec, stop and start read it without building). */
export async function readImageFacts(executor: Executor, source: ImageSource, signal?: AbortSignal): Promise<ImageFacts> {
  const config = await imageConfig(executor, source.ref, signal);
  return config ? factsOf(config, source) : { metadata: [] };
}

async function appendLog(ctx: ImageContext, title: string, exitCode: number, output: string): Promise<void> {
  const text = lifecycleLogEntry(title, exitCode, output);
  await ctx.executor.run(appendStdin(lifecycleLogPath(ctx.home, ctx.workspace)), { stdin: text, ...(ctx.signal ? { signal: ctx.signal } : {}) });
}

/** Runs one build command, its output appended to the lifecycle log; a failure throws with the log's end. */
export async function runLoggedBuild(ctx: ImageContext, title: string, argv: Argv): Promise<void> {
  const { exitCode, output } = await runWithOutput(ctx.executor, argv, ctx.signal ? { signal: ctx.signal } : {});
  await appendLog(ctx, title, exitCode, output);
  if (exitCode !== 0) throw new BuildFailedError(title, exitCode, output);
}

const runBuild = (ctx: ImageContext, title: string, options: BuildOptions) => runLoggedBuild(ctx, title, dockerBuild(options));

/** Uploads a tar and unpacks it into `dir` (created empty, 0700: option files may hold values worth keeping private). */
async function unpack(ctx: ImageContext, tar: Uint8Array, dir: string): Promise<void> {
  const file = `${dir}.tar`;
  await ctx.executor.upload(file, Buffer.from(tar), 0o600);
  await check(ctx.executor, ['sh', '-c', 'rm -rf "$1" && mkdir -p -m 0700 "$1" && tar -xf "$2" -C "$1" && rm -f "$2"', 'sh', dir, file], ctx.signal ? { signal: ctx.signal } : {});
}

const removeDir = (ctx: ImageContext, dir: string) => ctx.executor.run(['rm', '-rf', dir, `${dir}.tar`], ctx.signal ? { signal: ctx.signal } : {});

async function buildDockerfile(ctx: ImageContext, source: BuildSource): Promise<void> {
  ctx.step('image.build', source.ref);
  const dir = buildDir(ctx.home, ctx.workspace, source.hash);
  await unpack(ctx, source.context, dir);
  try {
    await runBuild(ctx, `build ${source.ref}`, {
      tag: source.ref,
      dockerfile: path.posix.join(dir, source.dockerfile),
      context: dir,
      buildArgs: Object.entries(source.args),
      target: source.target,
      cacheFrom: source.cacheFrom,
      options: source.options,
    });
  } finally {
    await removeDir(ctx, dir);
  }
}

async function buildWithCompose(ctx: ImageContext, source: ComposeBuildSource): Promise<void> {
  if (!ctx.composeBuild) throw new Error(`${source.ref}: a Compose build needs the workspace's Compose project`);
  ctx.step('image.build', source.ref);
  await ctx.composeBuild(source);
}

/** The base of a features image, present on the VM: pulled when missing, built when its tag is missing. */
async function ensureBase(ctx: ImageContext, base: BaseImageSource): Promise<ImageConfigInfo> {
  const present = await imageConfig(ctx.executor, base.ref, ctx.signal);
  if (present) return present;
  await pullOrBuild(ctx, base);
  const config = await imageConfig(ctx.executor, base.ref, ctx.signal);
  if (!config) throw new AppError(`${base.ref}: not on ${ctx.executor.host} after ${base.kind === 'pull' ? 'pulling' : 'building'} it`, ExitCode.failed);
  return config;
}

/** The users the features' scripts see (_CONTAINER_USER, _REMOTE_USER): the last set in the entries, else the image's. */
export function featureUsers(entries: readonly MetadataEntry[], imageUser: string): { containerUser: string; remoteUser: string } {
  const last = (key: string) => entries.map((entry) => entry[key]).filter((v): v is string => typeof v === 'string' && v !== '').at(-1);
  const containerUser = last('containerUser') ?? (imageUser || 'root');
  return { containerUser, remoteUser: last('remoteUser') ?? containerUser };
}

async function buildFeatures(ctx: ImageContext, source: FeaturesSource, base: ImageConfigInfo): Promise<void> {
  ctx.step('image.features', `${source.features.length} feature(s) on ${source.base.ref}`);
  const baseEntries = parseMetadataLabel(base.labels[METADATA_LABEL]);
  const jsonEntry = devcontainerEntry(ctx.json, { withRemoteEnv: false });
  const users = featureUsers([...baseEntries, jsonEntry], base.user);
  const contentImage = `kamal-dev-feature-content:${source.hash.slice(0, 16)}-${ctx.workspace}`;
  const dockerfile = featuresDockerfile({
    features: source.features,
    ...users,
    metadata: imageLabelEntries(baseEntries, source.features.map(featureEntry), jsonEntry),
    containerEnv: ctx.json.containerEnv ?? {},
    buildKit: false,
    syntaxLine: false,
    contentImage,
    userDockerfile: '',
  });
  const dir = buildDir(ctx.home, ctx.workspace, source.hash);
  const content = path.posix.join(dir, 'content');
  const empty = path.posix.join(dir, 'empty');
  await unpack(ctx, source.content, content);
  try {
    await ctx.executor.upload(path.posix.join(content, BUILTIN_ENV), builtinEnv(users.containerUser, users.remoteUser), 0o644);
    await ctx.executor.upload(path.posix.join(dir, 'Dockerfile.buildContent'), BUILD_CONTENT_DOCKERFILE, 0o644);
    await ctx.executor.upload(path.posix.join(dir, 'Dockerfile.extended'), dockerfile, 0o644);
    await check(ctx.executor, ['mkdir', '-p', empty], ctx.signal ? { signal: ctx.signal } : {});
    await runBuild(ctx, `build ${contentImage}`, {
      tag: contentImage, dockerfile: path.posix.join(dir, 'Dockerfile.buildContent'), context: content, buildArgs: [], target: undefined, cacheFrom: [], options: [],
    });
    await runBuild(ctx, `build ${source.ref}`, {
      tag: source.ref,
      dockerfile: path.posix.join(dir, 'Dockerfile.extended'),
      context: empty,
      buildArgs: [
        ['_DEV_CONTAINERS_BASE_IMAGE', source.base.ref],
        ['_DEV_CONTAINERS_IMAGE_USER', base.user || 'root'],
        ['_DEV_CONTAINERS_FEATURE_CONTENT_SOURCE', contentImage],
      ],
      target: TARGET_STAGE,
      cacheFrom: [],
      options: [],
    });
  } finally {
    await ctx.executor.run(dockerImageRemove(contentImage), ctx.signal ? { signal: ctx.signal } : {});
    await removeDir(ctx, dir);
  }
}

/** Builds a Dockerfile, Compose or features image on the VM (a features image's base pulled or built first when missing). */
async function buildImage(ctx: ImageContext, source: BuildSource | ComposeBuildSource | FeaturesSource): Promise<void> {
  switch (source.kind) {
    case 'build':
      return buildDockerfile(ctx, source);
    case 'compose-build':
      return buildWithCompose(ctx, source);
    case 'features': {
      return buildFeatures(ctx, source, await ensureBase(ctx, source.base));
    }
    default:
      return assertNever(source, 'image source');
  }
}

/** Pulls or builds the image on the VM, with no registry: in between. */
async function pullOrBuild(ctx: ImageContext, source: ImageSource): Promise<void> {
  if (source.kind !== 'pull') return buildImage(ctx, source);
  ctx.step('image.pull', source.ref);
  await check(ctx.executor, dockerPull(source.ref), ctx.signal ? { signal: ctx.signal } : {});
}

/**
 * Makes the workspace's image present on the VM and reads what it says about itself. A pulled image is pulled when
 * missing; a built one is built only when its tag (the hash of its inputs) is missing, so an unchanged context,
 * Dockerfile and arguments are never built again.
 */
export async function ensureImage(ctx: ImageContext, source: ImageSource): Promise<ReadyImage> {
  const present = await imageConfig(ctx.executor, source.ref, ctx.signal);
  if (present) return { facts: factsOf(present, source), pulled: false };
  if (source.kind !== 'pull' && ctx.registry) {
    await imageViaRegistry(ctx, ctx.registry, source.ref, {
      build: () => buildImage(ctx, source),
      log: (title, exitCode, output) => appendLog(ctx, title, exitCode, output),
      present: async () => (await imageConfig(ctx.executor, source.ref, ctx.signal)) !== undefined,
    });
  } else {
    await pullOrBuild(ctx, source);
  }
  const config = await imageConfig(ctx.executor, source.ref, ctx.signal);
  if (!config) throw new AppError(`${source.ref}: not on ${ctx.executor.host} after preparing it`, ExitCode.failed);
  return { facts: factsOf(config, source), pulled: source.kind === 'pull' };
}

/** On a changed spec: a pulled image is pulled again (unless this run just did); a built one is already current. */
export async function prepareImage(executor: Executor, source: ImageSource, step: StepReporter, signal?: AbortSignal, pulled = false): Promise<void> {
  if (source.kind !== 'pull' || pulled) return;
  step('image.pull', source.ref);
  await check(executor, dockerPull(source.ref), { signal });
}
