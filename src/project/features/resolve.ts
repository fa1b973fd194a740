import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fetch } from 'undici';
import { parseJsonc } from '../../devcontainer/jsonc.js';
import { parseFeatureRef } from '../../devcontainer/features/reference.js';
import type { FeatureMetadata, FeatureSource, FeatureValue, ResolvedFeature } from '../../devcontainer/features/types.js';
import { ConfigError } from '../../lib/errors.js';
import { insecureRegistries, OciRegistry } from './oci.js';
import { readLockfile, type Lockfile } from './lockfile.js';
import { listTar, readTarFile } from './tar-read.js';

/** Where a resolved feature's files are: a local folder, or an archive in the cache. */
export type FeatureContent = { kind: 'folder'; path: string } | { kind: 'archive'; path: string };

export interface ResolveOptions {
  /** devcontainer.json's folder: local features are relative to it. */
  folder: string;
  /** devcontainer.json as messages name it. */
  file: string;
  /** The lockfile's path (devcontainer-lock.json beside devcontainer.json). */
  lockfile: string;
  /** Archives are cached here by digest. */
  cacheDir: string;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal | undefined;
  /** Refuse an undeclared option or one of the wrong type (default true; the reference CLI checks neither). */
  strictOptions?: boolean;
}

export interface ResolvedFeatures {
  roots: ResolvedFeature[];
  content: Map<ResolvedFeature, FeatureContent>;
}

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function metadataOf(text: string, where: string): FeatureMetadata {
  const value = parseJsonc(text, where).value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where}: expected a JSON object`);
  return value as FeatureMetadata;
}

/** Every option the user set must be declared, with a value of its declared type. */
function checkOptions(metadata: FeatureMetadata, value: FeatureValue, where: string): void {
  if (typeof value !== 'object') return;
  const declared = metadata.options ?? {};
  for (const [key, given] of Object.entries(value)) {
    const option = declared[key];
    if (!option) {
      const known = Object.keys(declared);
      throw new ConfigError(`${where}: unknown option "${key}" (the feature has ${known.length ? known.join(', ') : 'no options'})`);
    }
    if (option.type === 'boolean' && typeof given !== 'boolean') throw new ConfigError(`${where}: option "${key}" expects true or false, got ${JSON.stringify(given)}`);
    if (option.type === 'string' && typeof given !== 'string') throw new ConfigError(`${where}: option "${key}" expects a string, got ${JSON.stringify(given)}`);
  }
}

async function cached(cacheDir: string, digest: string, load: () => Promise<Uint8Array>): Promise<string> {
  const file = path.join(cacheDir, `${digest.replace(':', '-')}.tar`);
  try {
    const data = await readFile(file);
    if (sha256(data) === digest) return file;
  } catch {
    // not cached yet
  }
  const data = await load();
  await mkdir(cacheDir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
  return file;
}

/** Resolves `features` (and, recursively, their dependsOn) on this machine: local folders, registries, tarball URLs. */
export async function resolveFeatures(requests: readonly { id: string; value: FeatureValue; source: FeatureSource }[], o: ResolveOptions): Promise<ResolvedFeatures> {
  const content = new Map<ResolvedFeature, FeatureContent>();
  const lock: Lockfile = await readLockfile(o.lockfile, o.file);
  const insecure = insecureRegistries(o.env);
  const nodes = new Map<string, ResolvedFeature>();
  const devcontainerRoot = o.folder;

  const load = async (userId: string, source: FeatureSource, where: string): Promise<{ metadata: FeatureMetadata; digest: string | undefined; content: FeatureContent }> => {
    if (source.kind === 'local') {
      const dir = path.resolve(devcontainerRoot, source.path);
      const relative = path.relative(devcontainerRoot, dir);
      if (relative.startsWith('..')) throw new ConfigError(`${where}: a local feature must be inside the folder of devcontainer.json`);
      let text: string;
      try {
        text = await readFile(path.join(dir, 'devcontainer-feature.json'), 'utf8');
      } catch {
        throw new ConfigError(`${where}: no devcontainer-feature.json in ${dir}`);
      }
      return { metadata: metadataOf(text, path.join(dir, 'devcontainer-feature.json')), digest: undefined, content: { kind: 'folder', path: dir } };
    }
    if (source.kind === 'oci') {
      const registry = new OciRegistry(source.registry, source.path, insecure, where, o.signal);
      const locked = lock.features[userId]?.integrity;
      const reference = source.digest ?? locked ?? source.tag ?? 'latest';
      const manifest = await registry.manifest(reference, source.digest ?? locked);
      const layer = manifest.manifest.layers![0]!;
      const file = await cached(o.cacheDir, layer.digest, () => registry.blob(layer.digest));
      const metadata = manifest.metadata ?? metadataOf((await readTarFile(file, 'devcontainer-feature.json')) ?? '{}', `${where} (devcontainer-feature.json)`);
      return { metadata, digest: manifest.digest, content: { kind: 'archive', path: file } };
    }
    const response = await fetch(source.url, { headers: { 'user-agent': 'kamal-dev' }, ...(o.signal ? { signal: o.signal } : {}) }).catch((error: Error) => {
      throw new ConfigError(`${where}: cannot download (${error.message})`);
    });
    if (response.status > 299) throw new ConfigError(`${where}: the download answered ${response.status}`);
    const data = new Uint8Array(await response.arrayBuffer());
    const digest = sha256(data);
    const locked = lock.features[userId]?.integrity;
    if (locked && locked !== digest) throw new ConfigError(`${where}: the archive's sha256 ${digest} is not the one in devcontainer-lock.json (${locked})`);
    const file = await cached(o.cacheDir, digest, () => Promise.resolve(data));
    const text = await readTarFile(file, 'devcontainer-feature.json');
    if (text === undefined) throw new ConfigError(`${where}: the archive has no devcontainer-feature.json (it has ${(await listTar(file)).slice(0, 5).join(', ')})`);
    return { metadata: metadataOf(text, `${where} (devcontainer-feature.json)`), digest, content: { kind: 'archive', path: file } };
  };

  const resolve = async (userId: string, value: FeatureValue, source: FeatureSource, where: string): Promise<ResolvedFeature> => {
    const key = `${JSON.stringify(source)}\0${JSON.stringify(value)}`;
    const known = nodes.get(key);
    if (known) return known;
    const loaded = await load(userId, source, where);
    if (o.strictOptions !== false) checkOptions(loaded.metadata, value, where);
    const node: ResolvedFeature = { userId, source, value, metadata: loaded.metadata, digest: loaded.digest, dependsOn: [], installsAfter: [] };
    nodes.set(key, node);
    content.set(node, loaded.content);
    for (const [depId, depValue] of Object.entries(loaded.metadata.dependsOn ?? {})) {
      const depSource = parseFeatureRef(depId);
      if ('problem' in depSource) throw new ConfigError(`${where}: dependsOn "${depId}": ${depSource.problem}`);
      node.dependsOn.push(await resolve(depId, depValue, depSource, `${o.file}: features: "${depId}" (a dependency of "${userId}")`));
    }
    for (const after of loaded.metadata.installsAfter ?? []) {
      const afterSource = parseFeatureRef(after);
      if (!('problem' in afterSource)) node.installsAfter.push(afterSource);
    }
    return node;
  };

  const roots: ResolvedFeature[] = [];
  for (const request of requests) roots.push(await resolve(request.id, request.value, request.source, `${o.file}: features: "${request.id}"`));
  return { roots, content };
}
