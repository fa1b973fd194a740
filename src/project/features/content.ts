import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create, extract } from 'tar';
import { featureContextFiles, featureLayers, type ContextFile } from '../../devcontainer/features/dockerfile.js';
import type { ResolvedFeature } from '../../devcontainer/features/types.js';
import type { FeatureContent } from './resolve.js';

/**
 * The features' part of the build context, as the reference CLI lays it out: a `<id>_<n>/` folder per feature in
 * install order with its files, its devcontainer-features.env and its install wrapper. One tar, with fixed times
 * (the same features give the same bytes). The built-in env file depends on the base image's users: the VM side
 * writes it.
 */
export async function packFeatures(order: readonly ResolvedFeature[], content: ReadonlyMap<ResolvedFeature, FeatureContent>): Promise<{ tar: Buffer; generated: ContextFile[] }> {
  const stage = await mkdtemp(path.join(tmpdir(), 'kamal-dev-features-'));
  try {
    const layers = featureLayers(order);
    for (const layer of layers) {
      const target = path.join(stage, layer.folder);
      await mkdir(target, { recursive: true });
      const from = content.get(layer.feature)!;
      if (from.kind === 'folder') await cp(from.path, target, { recursive: true });
      // Top-level dotfiles of an archive are left out, as the reference CLI extracts them.
      else await extract({ file: from.path, cwd: target, filter: (entry) => !/^(\.\/)?\.[^/]/.test(entry) || entry === './' });
    }
    const generated = featureContextFiles({ features: order, containerUser: '', remoteUser: '' }).filter((file) => file.path.includes('/'));
    for (const file of generated) await writeFile(path.join(stage, file.path), file.content, { mode: file.mode });
    const chunks: Buffer[] = [];
    for await (const chunk of create({ cwd: stage, portable: true, mtime: new Date(0) }, layers.map((layer) => layer.folder))) chunks.push(chunk as Buffer);
    return { tar: Buffer.concat(chunks), generated };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
