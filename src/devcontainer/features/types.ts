/** A `features` value in devcontainer.json or a `dependsOn` entry: options, or the `version` shorthand. */
export type FeatureValue = Record<string, unknown> | string | boolean;

export interface FeatureOption {
  type?: string;
  default?: unknown;
}

/** `devcontainer-feature.json`, as far as kamal-dev reads it; other keys are kept and ignored. */
export interface FeatureMetadata {
  id?: string;
  version?: string;
  name?: string;
  description?: string;
  documentationURL?: string;
  options?: Record<string, FeatureOption>;
  containerEnv?: Record<string, string>;
  dependsOn?: Record<string, FeatureValue>;
  installsAfter?: string[];
  legacyIds?: string[];
  currentId?: string;
  deprecated?: boolean;
  [key: string]: unknown;
}

/** Where a feature comes from, as the reference CLI tells the forms apart. */
export type FeatureSource =
  | {
      kind: 'oci';
      registry: string;
      /** `namespace/id`. */
      path: string;
      /** The feature id: the last segment of the path. */
      id: string;
      tag: string | undefined;
      digest: string | undefined;
      /** `registry/path`: the reference without tag or digest. */
      resource: string;
    }
  | { kind: 'local'; /** Relative to devcontainer.json's folder, normalised, POSIX separators. */ path: string }
  | { kind: 'tarball'; url: string; id: string };

/** One feature to install: its reference as written, its options as written, and what was fetched for it. */
export interface ResolvedFeature {
  /** The key in `features` or `dependsOn`, as written. */
  userId: string;
  source: FeatureSource;
  value: FeatureValue;
  metadata: FeatureMetadata;
  /** OCI: the manifest digest; tarball: sha256 of the archive. */
  digest: string | undefined;
  /** Hard dependencies (`dependsOn`), resolved. */
  dependsOn: ResolvedFeature[];
  /** Soft dependencies (`installsAfter`), as sources. */
  installsAfter: FeatureSource[];
}
