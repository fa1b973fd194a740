import path from 'node:path';
import type { ComposeBundle } from '../devcontainer/compose-config.js';
import type { ComposeBuildSource } from '../devcontainer/image-source.js';
import type { Devcontainer } from '../devcontainer/parse.js';
import { composeBuild, composeImageOverride } from '../docker/compose-build.js';
import { composeProjectName, type ComposeInvocation } from '../docker/compose.js';
import { check } from '../remote/check.js';
import type { Executor } from '../remote/executor.js';
import { ensureImage, runLoggedBuild, type ImageContext, type ReadyImage } from './image.js';
import { buildDir, composeDir } from './workspace-paths.js';

/** Replaces the workspace's unpacked compose files (and build contexts) on the VM with this deploy's. */
export async function unpackComposeFiles(executor: Executor, bundle: ComposeBundle, dir: string, signal?: AbortSignal): Promise<void> {
  const archive = await bundle.pack();
  await check(executor, ['sh', '-c', 'rm -rf "$0" && mkdir -p "$0" && tar -x -f - -C "$0"', dir], { stdin: archive, ...(signal ? { signal } : {}) });
}

/** Compose's build of the workspace service, with the files on the VM and an override naming the image it is tagged as. */
export function composeBaseBuild(bundle: ComposeBundle, home: string, workspace: string, engine: readonly string[], source: ComposeBuildSource): { overridePath: string; overrideContent: string; argv: readonly string[] } {
  const dir = composeDir(home, workspace);
  const overridePath = path.posix.join(buildDir(home, workspace, source.hash), 'image.yml');
  const invocation: ComposeInvocation = {
    engine,
    project: composeProjectName(workspace),
    files: [...bundle.files.map((file) => path.posix.join(dir, file)), overridePath],
  };
  return { overridePath, overrideContent: composeImageOverride(source.service, source.ref), argv: composeBuild(invocation, [source.service]) };
}

/**
 * The image of a Compose workspace's service, made ready on the VM before `up` and read: pulled when missing, or
 * built by Compose (`build SERVICE`, tagged by the hash of its inputs) when its tag is missing, then the features
 * layered on it as for a single container. An image Compose interpolates (ref '') is left to Compose, unread.
 */
export async function ensureComposeImage(ctx: ImageContext, devcontainer: Devcontainer, engine: readonly string[]): Promise<ReadyImage> {
  const bundle = devcontainer.compose!;
  if (devcontainer.image.ref === '') return { facts: { metadata: [] }, pulled: false };
  const composeBuild = async (source: ComposeBuildSource) => {
    const build = composeBaseBuild(bundle, ctx.home, ctx.workspace, engine, source);
    const folder = path.posix.dirname(build.overridePath);
    await unpackComposeFiles(ctx.executor, bundle, composeDir(ctx.home, ctx.workspace), ctx.signal);
    await check(ctx.executor, ['mkdir', '-p', '-m', '0700', folder], ctx.signal ? { signal: ctx.signal } : {});
    try {
      await ctx.executor.upload(build.overridePath, build.overrideContent, 0o600);
      await runLoggedBuild(ctx, `compose build ${source.service} as ${source.ref}`, build.argv);
    } finally {
      await ctx.executor.run(['rm', '-rf', folder], ctx.signal ? { signal: ctx.signal } : {});
    }
  };
  return ensureImage({ ...ctx, composeBuild }, devcontainer.image);
}
