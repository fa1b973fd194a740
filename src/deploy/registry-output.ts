import type { RegistryConfig } from '../config/registry-schema.js';
import type { ImageSource } from '../devcontainer/image-source.js';

/** What a deploy does with the registry for one workspace: build and push (the first to need the image), or pull. */
export type RegistryAction = 'build-and-push' | 'pull';

/**
 * The registry's part in a workspace's image, as far as a dry run knows (it connects to nothing): the first
 * workspace of the plan stands for the one that builds and pushes, the others pull what it pushed. Either
 * only pulls when the registry has the image already, and a VM that has it does nothing. Undefined without
 * registry: or for an image that is pulled anyway.
 */
export function registryAction(image: ImageSource, registry: RegistryConfig | undefined, first: boolean): RegistryAction | undefined {
  if (!registry || image.kind === 'pull') return undefined;
  return first ? 'build-and-push' : 'pull';
}

/** The dry run's line about it, indented under the workspace. */
export function registryLine(image: ImageSource, registry: RegistryConfig | undefined, first: boolean): string[] {
  const action = registryAction(image, registry, first);
  if (action === undefined) return [];
  return action === 'build-and-push'
    ? [`  registry: build and push ${image.ref} (one workspace of the run does; pulled instead when ${registry!.server} has it)`]
    : [`  registry: pull ${image.ref} (after one workspace of the run has built and pushed it, or at once when ${registry!.server} has it)`];
}
