import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { step } from '../helpers/step.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

const NAME = 'e2e-dev-1';

/** The workspace service `app` (an image, or a build of one) and `web`, a server it reaches by name. */
function composeFile(image: string, app: 'image' | 'build'): string {
  return [
    'services:',
    '  app:',
    ...(app === 'image' ? [`    image: ${image}`] : ['    build: ./app']),
    '    command: ["sleep", "1000000"]',
    '  web:',
    `    image: ${image}`,
    '    command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www"]',
    '',
  ].join('\n');
}

const FEATURE = {
  id: 'flavour',
  version: '1.0.0',
  options: { flavour: { type: 'string', default: 'plain' } },
  containerEnv: { FLAVOUR_FILE: '/opt/flavour/name' },
  postCreateCommand: 'echo feature-postcreate >> /tmp/hooks',
};
const INSTALL = '#!/bin/sh\nset -e\nmkdir -p /opt/flavour\necho "$FLAVOUR" > /opt/flavour/name\n';

function devcontainer(flavour: string): string {
  return JSON.stringify({
    dockerComposeFile: 'docker-compose.yml',
    service: 'app',
    workspaceFolder: '/workspace',
    features: { './feature': { flavour } },
    postCreateCommand: 'echo devcontainer-postcreate >> /tmp/hooks',
  });
}

describeIf(requirements(), 'end to end on the local cloud: features on a Docker Compose service', () => {
  let cloud: LocalCloud;
  let project: Project;
  const dc = () => path.join(project.dir, '.devcontainer');

  beforeAll(async () => {
    cloud = await startLocalCloud();
    project = e2eProject(cloud);
    writeFileSync(path.join(dc(), 'docker-compose.yml'), composeFile(cloud.images.v1, 'image'));
    mkdirSync(path.join(dc(), 'feature'));
    writeFileSync(path.join(dc(), 'feature/devcontainer-feature.json'), JSON.stringify(FEATURE));
    writeFileSync(path.join(dc(), 'feature/install.sh'), INSTALL);
    mkdirSync(path.join(dc(), 'app'));
    writeFileSync(path.join(dc(), 'app/Dockerfile'), `FROM ${cloud.images.v1}\nRUN echo built-by-compose > /built\n`);
    writeFileSync(path.join(dc(), 'devcontainer.json'), devcontainer('mint'));
  }, 120_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  const run = (args: string[]) => project.run(args);
  /** The builds of the lifecycle log: the features image's (`build kamal-dev/…`) and Compose's of the service. */
  const builds = async () => ((await run(['logs', NAME, '--lifecycle'])).stdout.match(/^=== \S+ (build kamal-dev\/|compose build )/gm) ?? []).length;
  const ip = async () => (JSON.parse((await run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>)[NAME]!.vm_ip;
  const onVm = async (command: string) => {
    const r = await project.ssh(await ip(), command);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const containerId = () => onVm(`docker inspect -f '{{.Id}} {{.Config.Image}}' ${NAME}`);

  it("an image: service with a local feature, then a build: service: the feature's file, option, containerEnv and hook; redeploy unchanged; all removed", async () => {
    await step('deploy: the features image built on the service image; the service runs it', async () => {
      const r = await run(['deploy', '--count', '1', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(await builds()).toBe(1);
      expect(await containerId()).toMatch(/^[0-9a-f]{64} kamal-dev\/e2e-dev:[0-9a-f]{20}\n$/);
    });

    await step("the feature's file with its option, its containerEnv; its postCreateCommand before devcontainer.json's; the second service by name", async () => {
      const r = await run(['exec', NAME, '--', 'sh', '-c', 'cat /opt/flavour/name; echo "$FLAVOUR_FILE"; cat /tmp/hooks; wget -qO- http://web:8080/']);
      expect([r.code, r.stdout], r.stderr).toEqual([0, 'mint\n/opt/flavour/name\nfeature-postcreate\ndevcontainer-postcreate\nhello-from-web\n']);
    });

    await step('deploy again: nothing built, the container left alone', async () => {
      const before = await containerId();
      const r = await run(['deploy', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/e2e-dev-1 +\S+ +running +unchanged\n/);
      expect(await builds()).toBe(1);
      expect(await containerId()).toBe(before);
    });

    await step('a changed feature option: rebuilt and replaced', async () => {
      writeFileSync(path.join(dc(), 'devcontainer.json'), devcontainer('lime'));
      const r = await run(['deploy', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/e2e-dev-1 +\S+ +running +replaced\n/);
      expect(await builds()).toBe(2);
      const read = await run(['exec', NAME, '--', 'cat', '/opt/flavour/name']);
      expect(read.stdout).toBe('lime\n');
    });

    await step("a build: service: Compose builds it, the feature is layered on it; redeploy builds nothing", async () => {
      writeFileSync(path.join(dc(), 'docker-compose.yml'), composeFile(cloud.images.v1, 'build'));
      const r = await run(['deploy', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/e2e-dev-1 +\S+ +running +replaced\n/);
      expect(await builds()).toBe(4);
      const read = await run(['exec', NAME, '--', 'sh', '-c', 'cat /built /opt/flavour/name; wget -qO- http://web:8080/']);
      expect([read.code, read.stdout], read.stderr).toEqual([0, 'built-by-compose\nlime\nhello-from-web\n']);
      const again = await run(['deploy', '--yes']);
      expect(again.stdout).toMatch(/e2e-dev-1 +\S+ +running +unchanged\n/);
      expect(await builds()).toBe(4);
    });

    await step('remove --all --force: 0 servers, an empty state', async () => {
      const r = await run(['remove', '--all', '--force']);
      expect(r.code, r.stderr).toBe(0);
      expect((await cloud.stats()).live_servers).toBe(0);
      expect(JSON.parse((await run(['list', '--format', 'json'])).stdout)).toEqual({});
    });
  }, 900_000);
});
