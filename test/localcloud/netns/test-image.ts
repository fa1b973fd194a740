import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { run } from './exec.js';

export const TEST_REPOSITORY = 'kamal-dev/test-workspace';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImageBlobs {
  layer: Buffer;
  config: Buffer;
  manifest: Buffer;
}

export const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * A rootfs of busybox-static with one relative symlink per applet (`busybox --install -s` writes absolute
 * links to the host's path, broken inside a container), and /etc/kamal-dev-test-version saying which tag it is.
 */
async function buildRootfs(rootfs: string, version: string): Promise<void> {
  await rm(rootfs, { recursive: true, force: true });
  for (const dir of ['bin', 'etc', 'root', 'tmp', 'var/www']) await mkdir(`${rootfs}/${dir}`, { recursive: true });
  await chmod(`${rootfs}/tmp`, 0o1777);
  await copyFile('/bin/busybox', `${rootfs}/bin/busybox`);
  await chmod(`${rootfs}/bin/busybox`, 0o755);
  const { stdout } = await run('/bin/busybox', ['--list']);
  for (const applet of stdout.split('\n').map((a) => a.trim())) {
    if (applet && applet !== 'busybox') await symlink('busybox', `${rootfs}/bin/${applet}`);
  }
  await writeFile(`${rootfs}/etc/passwd`, 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  await writeFile(`${rootfs}/etc/group`, 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(`${rootfs}/etc/kamal-dev-test-version`, `${version}\n`);
  await writeFile(`${rootfs}/var/www/index.html`, `kamal-dev test workspace ${version}\n`);
}

/** The busybox test image of tag `version`. */
export async function buildTestImage(workDir: string, version: string): Promise<ImageBlobs> {
  const rootfs = `${workDir}/rootfs-${version}`;
  const tarFile = `${workDir}/layer-${version}.tar`;
  await buildRootfs(rootfs, version);
  await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=@0', '-C', rootfs, '-cf', tarFile, '.']);
  const tar = await readFile(tarFile);
  await rm(rootfs, { recursive: true, force: true });
  await rm(tarFile, { force: true });
  return oneLayerImage({
    layer: gzipSync(tar),
    diffId: sha256(tar),
    cmd: ['sh'],
    labels: { 'kamal-dev.test-version': version },
    createdBy: `kamal-dev local cloud test image ${version}`,
  });
}

export interface OneLayerImage {
  /** The gzip layer and the sha256 of its uncompressed tar. */
  layer: Buffer;
  diffId: string;
  cmd: string[];
  labels: Record<string, string>;
  createdBy: string;
}

/** The blobs of a one-layer image as `docker import --change 'ENV PATH=…'` would make it: a config and a schema 2 manifest. */
export function oneLayerImage(image: OneLayerImage): ImageBlobs {
  const config = Buffer.from(
    JSON.stringify({
      architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: { Env: [`PATH=${PATH}`], Cmd: image.cmd, Labels: image.labels },
      rootfs: { type: 'layers', diff_ids: [image.diffId] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: image.createdBy }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: image.layer.length, digest: sha256(image.layer) }],
    }),
  );
  return { layer: image.layer, config, manifest };
}
