import type { ComposeServiceDefinition } from '../devcontainer/compose-service.js';
import type { ImageSource } from '../devcontainer/image-source.js';
import { composeVolumeOf, type ComposeVolume } from '../docker/compose-mounts.js';
import type { OverrideOptions } from '../docker/compose-override.js';
import type { ImageFacts } from './workspace.js';

/**
 * What the workspace service's override gets from the image kamal-dev made and read: its `image:` (a Compose
 * build or features; a pulled image stays the files' own), the mounts of the image's metadata (the features'),
 * the features' entrypoints and, when the service keeps its own start, what the keep-alive script execs.
 */
export function composeImageOptions(
  source: ImageSource,
  definition: ComposeServiceDefinition,
  facts: ImageFacts,
  merged: { entrypoints: readonly string[]; imageMounts: readonly unknown[]; keepAlive: boolean },
): { [K in 'image' | 'mounts' | 'entrypoints' | 'userStart']-?: OverrideOptions[K] } {
  const mounts = merged.imageMounts.map(composeVolumeOf).filter((m): m is ComposeVolume => m !== undefined);
  const ownStart = !merged.keepAlive && merged.entrypoints.length > 0;
  // Every key set (undefined too): these replace the docker run options of the same names spread before them.
  return {
    image: source.kind === 'pull' ? undefined : source.ref,
    mounts,
    entrypoints: merged.entrypoints,
    userStart: ownStart
      ? {
          entrypoint: definition.entrypoint ?? facts.entrypoint ?? [],
          command: definition.command !== undefined ? undefined : definition.entrypoint !== undefined ? [] : (facts.cmd ?? []),
        }
      : undefined,
  };
}
