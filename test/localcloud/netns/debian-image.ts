import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import lockfile from 'proper-lockfile';
import { run } from './exec.js';
import { oneLayerImage, sha256, type ImageBlobs } from './test-image.js';

export const DEBIAN_REPOSITORY = 'kamal-dev/debian';
export const DEBIAN_TAG = 'bookworm';

/** What goes into the image; its hash names the cache entry, so a changed recipe builds a new one. */
const RECIPE = {
  suite: 'bookworm',
  variant: 'minbase',
  include: ['git', 'ca-certificates'],
  mirror: 'http://deb.debian.org/debian',
};
const BUILD_TIMEOUT_MS = 15 * 60_000;

export function debianCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KAMAL_DEV_LOCALCLOUD_CACHE ?? '/var/cache/kamal-dev-localcloud';
}

const recipeKey = () => createHash('sha256').update(JSON.stringify(RECIPE)).digest('hex').slice(0, 12);

async function buildLayer(entry: string): Promise<void> {
  if (!existsSync('/usr/bin/mmdebstrap')) {
    throw new Error('the Debian test image needs mmdebstrap (apt-get install mmdebstrap; scripts/install-test-deps.sh does)');
  }
  const tarFile = `${entry}.rootfs.tar`;
  await rm(tarFile, { force: true });
  await run(
    '/usr/bin/mmdebstrap',
    [`--variant=${RECIPE.variant}`, `--include=${RECIPE.include.join(',')}`, '--mode=root', '--quiet', RECIPE.suite, tarFile, RECIPE.mirror],
    { timeoutMs: BUILD_TIMEOUT_MS },
  );
  const tar = await readFile(tarFile);
  await rm(tarFile, { force: true });
  const staging = `${entry}.staging`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(`${staging}/layer.tar.gz`, gzipSync(tar, { level: 6 }));
  await writeFile(`${staging}/diff-id`, sha256(tar));
  await rename(staging, entry);
}

/**
 * The gzip layer of a Debian rootfs made by mmdebstrap, cached under the cache folder and built only when
 * missing. Several local clouds may start at once: the build runs under a lock and the entry appears whole
 * (renamed into place) or not at all.
 */
async function cachedLayer(cacheDir: string): Promise<{ layer: Buffer; diffId: string }> {
  const entry = `${cacheDir}/debian-${RECIPE.suite}-${recipeKey()}`;
  await mkdir(cacheDir, { recursive: true });
  if (!existsSync(entry)) {
    const release = await lockfile.lock(cacheDir, {
      lockfilePath: `${cacheDir}/debian.lock`,
      stale: 60_000,
      retries: { retries: 600, minTimeout: 1000, maxTimeout: 2000 },
    });
    try {
      if (!existsSync(entry)) await buildLayer(entry);
    } finally {
      await release();
    }
  }
  return { layer: await readFile(`${entry}/layer.tar.gz`), diffId: (await readFile(`${entry}/diff-id`, 'utf8')).trim() };
}

/** Debian bookworm with git and ca-certificates, as one-layer image blobs for the local registry. */
export async function buildDebianImage(cacheDir = debianCacheDir()): Promise<ImageBlobs> {
  const { layer, diffId } = await cachedLayer(cacheDir);
  return oneLayerImage({
    layer,
    diffId,
    cmd: ['bash'],
    labels: { 'kamal-dev.test-image': `debian-${RECIPE.suite}` },
    createdBy: `mmdebstrap ${RECIPE.variant} ${RECIPE.suite} + ${RECIPE.include.join(' ')}`,
  });
}
