import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'undici';
import { stringify } from 'yaml';
import { sleep } from '../../../src/lib/sleep.js';
import { isAlive, terminate } from './procs.js';
import { spawnDaemon } from './spawn.js';
import { TEST_REPOSITORY, sha256, type ImageBlobs } from './test-image.js';

/**
 * The port of a second registry on the bridge address that tests may start (with basic authentication): every VM's
 * engine has it in its insecure-registries, as it has the registry of the test images.
 */
export const AUTH_REGISTRY_PORT = 5001;

/**
 * Debian's docker-registry on `address` (ip:port), storing under `dir`; with `htpasswd` (bcrypt lines), only for
 * those users (basic authentication). Resolves once /v2/ answers; returns its pid.
 */
export async function startRegistry(dir: string, address: string, options: { htpasswd?: string } = {}): Promise<number> {
  await mkdir(`${dir}/data`, { recursive: true });
  if (options.htpasswd !== undefined) await writeFile(`${dir}/htpasswd`, options.htpasswd, { mode: 0o600 });
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: `${dir}/data` }, delete: { enabled: true } },
    http: { addr: address },
    ...(options.htpasswd === undefined ? {} : { auth: { htpasswd: { realm: 'kamal-dev-localcloud', path: `${dir}/htpasswd` } } }),
  };
  await writeFile(`${dir}/config.yml`, stringify(config));
  const pid = spawnDaemon('/usr/bin/docker-registry', ['serve', `${dir}/config.yml`], `${dir}/registry.log`);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await request(`http://${address}/v2/`, { headersTimeout: 1000 });
      await response.body.text();
      if (response.statusCode === (options.htpasswd === undefined ? 200 : 401)) return pid;
    } catch {
      // not listening yet
    }
    if (!isAlive(pid)) throw new Error(`docker-registry exited (see ${dir}/registry.log)`);
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${address} (see ${dir}/registry.log)`);
    await sleep(100);
  }
}

export async function stopRegistry(pid: number): Promise<void> {
  await terminate([pid], 5_000);
}

async function expect(status: number[], what: string, response: Awaited<ReturnType<typeof request>>): Promise<void> {
  const body = await response.body.text();
  if (!status.includes(response.statusCode)) throw new Error(`registry ${what}: HTTP ${response.statusCode} ${body.slice(0, 200)}`);
}

async function pushBlob(base: string, repository: string, blob: Buffer): Promise<void> {
  const digest = sha256(blob);
  const start = await request(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await expect([202], 'upload start', start);
  const location = new URL(String(start.headers.location), base);
  location.searchParams.set('digest', digest);
  const put = await request(location, { method: 'PUT', body: blob, headers: { 'content-type': 'application/octet-stream' } });
  await expect([201], `upload of ${digest}`, put);
}

/** Pushes an image through the registry's HTTP API (what `docker push` does) as `repository:tag`. */
export async function pushImage(address: string, tag: string, image: ImageBlobs, repository = TEST_REPOSITORY): Promise<string> {
  const base = `http://${address}`;
  await pushBlob(base, repository, image.layer);
  await pushBlob(base, repository, image.config);
  const put = await request(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: image.manifest,
    headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  await expect([201], `manifest ${tag}`, put);
  return `${address}/${repository}:${tag}`;
}

/** Pushes a devcontainer feature, laid out as published features are (see test/helpers/feature-artifact.ts), as `repository:tag`. */
export async function pushFeature(address: string, repository: string, tag: string, artifact: { manifest: Buffer; blobs: Map<string, Buffer> }): Promise<string> {
  const base = `http://${address}`;
  for (const blob of artifact.blobs.values()) {
    const start = await request(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    await expect([202], 'upload start', start);
    const location = new URL(String(start.headers.location), base);
    location.searchParams.set('digest', sha256(blob));
    await expect([201], `upload of ${sha256(blob)}`, await request(location, { method: 'PUT', body: blob, headers: { 'content-type': 'application/octet-stream' } }));
  }
  const put = await request(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: artifact.manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  await expect([201], `manifest ${tag}`, put);
  return `${address}/${repository}:${tag}`;
}
