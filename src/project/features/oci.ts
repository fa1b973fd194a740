import { createHash } from 'node:crypto';
import { fetch } from 'undici';
import { ConfigError } from '../../lib/errors.js';
import type { FeatureMetadata } from '../../devcontainer/features/types.js';

export const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const FEATURE_CONFIG_TYPE = 'application/vnd.devcontainers';
export const FEATURE_LAYER_TYPE = 'application/vnd.devcontainers.layer.v1+tar';
export const METADATA_ANNOTATION = 'dev.containers.metadata';

export interface OciManifest {
  config?: { mediaType?: string };
  layers?: { mediaType?: string; digest: string; size?: number }[];
  annotations?: Record<string, string>;
}

export interface FetchedManifest {
  digest: string;
  manifest: OciManifest;
  /** From the manifest's annotation; undefined when it has none (then read from the layer). */
  metadata: FeatureMetadata | undefined;
}

/** The registries reached over plain HTTP: `KAMAL_DEV_INSECURE_REGISTRIES`, comma-separated `host:port`, as Docker's insecure-registries. */
export function insecureRegistries(env: Readonly<Record<string, string | undefined>>): Set<string> {
  return new Set((env.KAMAL_DEV_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const params: Record<string, string> = {};
  for (const match of rest.join(' ').matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme: scheme.toLowerCase(), params };
}

/**
 * A registry as the reference CLI reads features from it: anonymous, with the token flow of the Docker registry
 * (a 401 with `WWW-Authenticate: Bearer …` → a token from its realm → the request again). VMs never see it.
 */
export class OciRegistry {
  readonly #base: string;
  #token: string | undefined;

  constructor(
    readonly registry: string,
    readonly repository: string,
    insecure: ReadonlySet<string>,
    readonly where: string,
    readonly signal?: AbortSignal,
  ) {
    this.#base = `${insecure.has(registry) ? 'http' : 'https'}://${registry}/v2/${repository}`;
  }

  async #get(url: string, accept: string): Promise<Uint8Array> {
    const attempt = () =>
      fetch(url, { headers: { accept, 'user-agent': 'kamal-dev', ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}) }, ...(this.signal ? { signal: this.signal } : {}) });
    let response = await this.#send(attempt, url);
    if ((response.status === 401 || response.status === 403) && !this.#token) {
      const challenge = response.headers.get('www-authenticate');
      await response.body?.cancel();
      if (!challenge) throw this.#denied(response.status);
      await this.#authenticate(challenge);
      response = await this.#send(attempt, url);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.#denied(response.status);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ConfigError(`${this.where}: not found at ${this.registry} (404 for ${url.replace(/^https?:\/\//, '')})`);
    }
    if (response.status > 299) {
      await response.body?.cancel();
      throw new ConfigError(`${this.where}: ${this.registry} answered ${response.status} for ${url.replace(/^https?:\/\//, '')}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  async #send(attempt: () => ReturnType<typeof fetch>, url: string): ReturnType<typeof fetch> {
    try {
      return await attempt();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ConfigError(`${this.where}: cannot reach ${url.split('/v2/')[0]} (${cause?.code ?? cause?.message ?? (error as Error).message})`, {
        hint: 'A registry without TLS must be named in KAMAL_DEV_INSECURE_REGISTRIES (host:port, comma-separated).',
      });
    }
  }

  #denied(status: number): ConfigError {
    return new ConfigError(`${this.where}: ${this.registry} refused an anonymous read (${status}); the feature needs credentials, which kamal-dev does not send`, {
      hint: 'Use a public feature, a local ./feature, or a tarball URL.',
    });
  }

  async #authenticate(header: string): Promise<void> {
    const { scheme, params } = parseChallenge(header);
    if (scheme !== 'bearer' || !params.realm) throw this.#denied(401);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.repository}:pull`);
    const response = await this.#send(() => fetch(url, { headers: { 'user-agent': 'kamal-dev' }, ...(this.signal ? { signal: this.signal } : {}) }), url.toString());
    if (response.status > 299) {
      await response.body?.cancel();
      throw this.#denied(response.status);
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    this.#token = body.token ?? body.access_token;
    if (!this.#token) throw new ConfigError(`${this.where}: the token service of ${this.registry} gave no token`);
  }

  /** The manifest by tag or digest; with a digest (or a lockfile's), the bytes must hash to it. */
  async manifest(reference: string, expectedDigest?: string): Promise<FetchedManifest> {
    const bytes = await this.#get(`${this.#base}/manifests/${reference}`, MANIFEST_TYPE);
    const digest = sha256(bytes);
    if (expectedDigest && digest !== expectedDigest) throw new ConfigError(`${this.where}: the manifest's digest ${digest} is not the expected ${expectedDigest}`);
    const manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as OciManifest;
    if (manifest.config?.mediaType !== FEATURE_CONFIG_TYPE) {
      throw new ConfigError(`${this.where}: not a devcontainer feature (its config is ${manifest.config?.mediaType ?? 'missing'}, not ${FEATURE_CONFIG_TYPE})`);
    }
    if (!manifest.layers?.[0]) throw new ConfigError(`${this.where}: the feature's manifest has no layer`);
    const annotation = manifest.annotations?.[METADATA_ANNOTATION];
    let metadata: FeatureMetadata | undefined;
    if (annotation) {
      try {
        metadata = JSON.parse(annotation) as FeatureMetadata;
      } catch {
        metadata = undefined;
      }
    }
    return { digest, manifest, metadata };
  }

  /** The layer blob, checked against its digest. */
  async blob(digest: string): Promise<Uint8Array> {
    const bytes = await this.#get(`${this.#base}/blobs/${digest}`, MANIFEST_TYPE);
    if (sha256(bytes) !== digest) throw new ConfigError(`${this.where}: the layer's content does not match its digest ${digest}`);
    return bytes;
  }
}
