import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { featureArtifact } from '../helpers/feature-artifact.js';
import { step } from '../helpers/step.js';
import { pushFeature } from '../localcloud/netns/registry.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

const NAME = 'e2e-dev-1';
const FEATURES = new URL('../localcloud/features/', import.meta.url);

/** A package of one script, `kamal-dev-hello`, as `dpkg-deb --build` makes it: what hello-deb installs with apt, offline. */
function helloDeb(): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-deb-'));
  try {
    const root = path.join(dir, 'pkg');
    mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
    mkdirSync(path.join(root, 'usr', 'bin'), { recursive: true });
    writeFileSync(path.join(root, 'DEBIAN', 'control'), [
      'Package: kamal-dev-hello',
      'Version: 1.0',
      'Architecture: all',
      'Maintainer: kamal-dev tests <tests@kamal-dev.invalid>',
      'Description: one script, installed offline by a test feature',
      '',
    ].join('\n'));
    writeFileSync(path.join(root, 'usr', 'bin', 'kamal-dev-hello'), '#!/bin/sh\necho "hello from kamal-dev-hello 1.0"\n');
    chmodSync(path.join(root, 'usr', 'bin', 'kamal-dev-hello'), 0o755);
    execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, path.join(dir, 'hello.deb')], { stdio: 'ignore' });
    return readFileSync(path.join(dir, 'hello.deb'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** hello-deb (with the package it installs) and hello-user (which depends on it), published to the local registry. */
async function publishFeatures(registry: string): Promise<void> {
  const deb = helloDeb();
  for (const id of ['hello-deb', 'hello-user']) {
    const dir = new URL(`${id}/`, FEATURES);
    const files: Record<string, string | Buffer> = Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(new URL(name, dir), 'utf8').replaceAll('REGISTRY', registry)]));
    if (id === 'hello-deb') files['kamal-dev-hello.deb'] = deb;
    await pushFeature(registry, `kamal-dev/features/${id}`, '1', await featureArtifact(files));
  }
}

describeIf(requirements(), 'end to end on the local cloud: features on the Debian image', () => {
  let cloud: LocalCloud;
  let project: Project;
  let registry: string;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    registry = cloud.images.debian.split('/')[0]!;
    await publishFeatures(registry);
    project = e2eProject(cloud);
    project.env.KAMAL_DEV_INSECURE_REGISTRIES = registry;
  }, 300_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  it('two features from the registry, one depending on the other, with options: apt installs a package offline, order, containerEnv and hooks', async () => {
    writeFileSync(path.join(project.dir, '.devcontainer', 'devcontainer.json'), JSON.stringify({
      image: cloud.images.debian,
      workspaceFolder: '/workspace',
      features: { [`${registry}/kamal-dev/features/hello-user:1`]: { shout: true } },
      postCreateCommand: 'echo devcontainer-postcreate >> /tmp/hooks',
    }));

    await step('deploy: the features installed on the Debian image, the dependency first', async () => {
      const r = await project.run(['deploy', '--yes']);
      const log = async () => (await project.run(['logs', NAME, '--lifecycle'])).stdout.slice(-4000);
      expect(r.code, `${r.stderr}\n${r.code === 0 ? '' : await log()}`).toBe(0);
      const order = await project.run(['exec', NAME, '--', 'cat', '/opt/install-order', '/opt/hello-user/out']);
      expect([order.code, order.stdout], `${order.stderr}\n${await log()}`).toEqual([0, 'hello-deb ran as root\nhello-user ran as root\nHELLO FROM KAMAL-DEV-HELLO 1.0 BONJOUR\n']);
    });

    await step('the package apt installed is known to dpkg', async () => {
      const r = await project.run(['exec', NAME, '--', 'sh', '-c', 'dpkg -s kamal-dev-hello | grep -E "^(Status|Version):"; command -v kamal-dev-hello']);
      expect([r.code, r.stdout], r.stderr).toEqual([0, 'Status: install ok installed\nVersion: 1.0\n/usr/bin/kamal-dev-hello\n']);
    });

    await step("the features' containerEnv set; hello-user's postCreateCommand ran before devcontainer.json's", async () => {
      const r = await project.run(['exec', NAME, '--', 'sh', '-c', 'echo "$HELLO_DEB_CONF $HELLO_USER_OUT"; cat "$HELLO_DEB_CONF" /tmp/hooks']);
      expect([r.code, r.stdout], r.stderr).toEqual([0, '/etc/kamal-dev-hello/greeting /opt/hello-user/out\nbonjour\nhello-user-postcreate\ndevcontainer-postcreate\n']);
    });

    await step('remove --all', async () => {
      expect((await project.run(['remove', '--all', '--force'])).code).toBe(0);
    });
  }, 900_000);
});
