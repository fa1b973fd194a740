import type { ContextFile } from './features/dockerfile.js';
import type { ResolvedFeature } from './features/types.js';

/** A Dockerfile build, as devcontainer.json asks for it; paths are local and absolute. */
export interface BuildRequest {
  /** The Dockerfile on this machine. */
  dockerfile: string;
  /** The context folder on this machine. */
  context: string;
  args: Record<string, string>;
  target: string | undefined;
  cacheFrom: string[];
  options: string[];
}

/** A Dockerfile build ready to run on a VM: its context packed, tagged by the hash of its inputs. */
export interface BuildSource {
  kind: 'build';
  /** `kamal-dev/<service>:<hash>`. */
  ref: string;
  /** The hash of the context, the Dockerfile and the arguments. */
  hash: string;
  /** The context as one tar, `.dockerignore` applied; the Dockerfile is in it at `dockerfile`. */
  context: Uint8Array;
  /** The Dockerfile's path inside the context tar. */
  dockerfile: string;
  args: Record<string, string>;
  target: string | undefined;
  cacheFrom: string[];
  options: string[];
}

/** A Compose service's `build:`, built on the VM by Compose itself (`build SERVICE`) and tagged `ref`. */
export interface ComposeBuildSource {
  kind: 'compose-build';
  /** `kamal-dev/<service>:<hash>`, set as the service's `image:` for that build. */
  ref: string;
  /** The hash of the service's `build:` as written and of its context's files. */
  hash: string;
  /** The Compose service. */
  service: string;
}

export type BaseImageSource = { kind: 'pull'; ref: string } | BuildSource | ComposeBuildSource;

/** Features layered on a base image, built on the VM as the reference CLI builds them. */
export interface FeaturesSource {
  kind: 'features';
  /** `kamal-dev/<service>:<hash>-features`. */
  ref: string;
  /** The hash of the base's inputs, each feature's content and options. */
  hash: string;
  base: BaseImageSource;
  /** In install order. */
  features: ResolvedFeature[];
  /** The features' own files, as one tar of `<id>_<n>/` folders (env files and install wrappers included). */
  content: Uint8Array;
  /** What the tar holds besides the features' files, listed for the dry run. */
  generated: ContextFile[];
}

/** Where a workspace's image comes from. */
export type ImageSource = BaseImageSource | FeaturesSource;
