import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FeatureArtifact } from './feature-artifact.js';

/**
 * A small OCI registry for features on 127.0.0.1, speaking the Docker token flow as ghcr.io does for public
 * packages: a read without a token gets 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…`; the realm
 * hands out a token anonymously, except for repositories listed as private.
 */
export class FeatureRegistry {
  readonly requests: string[] = [];
  readonly #repos = new Map<string, Map<string, FeatureArtifact>>();
  readonly #private = new Set<string>();
  #server: Server | undefined;
  host = '';

  publish(repository: string, tag: string, artifact: FeatureArtifact, options: { private?: boolean } = {}): void {
    const tags = this.#repos.get(repository) ?? new Map<string, FeatureArtifact>();
    tags.set(tag, artifact);
    tags.set(artifact.digest, artifact);
    this.#repos.set(repository, tags);
    if (options.private) this.#private.add(repository);
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${this.host}`);
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      if (url.pathname === '/token') {
        const repository = /^repository:(.+):pull$/.exec(url.searchParams.get('scope') ?? '')?.[1] ?? '';
        if (this.#private.has(repository)) return void res.writeHead(401).end('{"errors":[{"code":"DENIED"}]}');
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `t-${repository}` }));
      }
      const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
      if (!match) return void res.writeHead(404).end();
      const [, repository, kind, reference] = match as unknown as [string, string, string, string];
      if (req.headers.authorization !== `Bearer t-${repository}`) {
        return void res
          .writeHead(401, { 'www-authenticate': `Bearer realm="http://${this.host}/token",service="${this.host}",scope="repository:${repository}:pull"` })
          .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      }
      const tags = this.#repos.get(repository);
      if (kind === 'manifests') {
        const artifact = tags?.get(reference);
        if (!artifact) return void res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
        return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': artifact.digest }).end(artifact.manifest);
      }
      const blob = [...(tags?.values() ?? [])].map((a) => a.blobs.get(reference)).find(Boolean);
      if (!blob) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob);
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.host = `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.host;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
