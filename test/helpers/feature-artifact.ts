import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from 'tar';

export const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A feature as published: an OCI image manifest (config `application/vnd.devcontainers`, one tar layer), its blobs. */
export interface FeatureArtifact {
  manifest: Buffer;
  digest: string;
  blobs: Map<string, Buffer>;
}

/** Packs `files` (devcontainer-feature.json, install.sh, any other file a feature ships) as the reference CLI publishes a feature: an uncompressed tar with `./` entries. */
export async function featureArtifact(files: Record<string, string | Buffer>, options: { annotate?: boolean } = {}): Promise<FeatureArtifact> {
  const dir = mkdtempSync(path.join(tmpdir(), 'feature-artifact-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of create({ cwd: dir, portable: true, mtime: new Date(0) }, Object.keys(files).map((name) => `./${name}`))) chunks.push(chunk as Buffer);
    const layer = Buffer.concat(chunks);
    const config = Buffer.from('{}');
    const json = String(files['devcontainer-feature.json'] ?? '{}');
    const metadata = JSON.parse(json) as { id?: string };
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.devcontainers', digest: sha256(config), size: config.length },
        layers: [
          {
            mediaType: 'application/vnd.devcontainers.layer.v1+tar',
            digest: sha256(layer),
            size: layer.length,
            annotations: { 'org.opencontainers.image.title': `devcontainer-feature-${metadata.id ?? 'x'}.tgz` },
          },
        ],
        ...(options.annotate === false ? {} : { annotations: { 'dev.containers.metadata': json } }),
      }),
    );
    return { manifest, digest: sha256(manifest), blobs: new Map([[sha256(layer), layer], [sha256(config), config]]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
