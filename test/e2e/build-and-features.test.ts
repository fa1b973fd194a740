import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { featureArtifact } from '../helpers/feature-artifact.js';
import { step } from '../helpers/step.js';
import { pushFeature } from '../localcloud/netns/registry.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

const NAMES = ['e2e-dev-1', 'e2e-dev-2', 'e2e-dev-3'];
const FEATURES = new URL('../localcloud/features/', import.meta.url);

/** A two-stage Dockerfile: the target stage `dev` gets the build argument; the stage after it would fail the build. */
const dockerfile = (marker: string) => `ARG BASE
FROM \${BASE} AS dev
ARG GREETING=unset
RUN echo "$GREETING" > /greeting && echo ${marker} > /marker
COPY . /ctx

FROM dev AS broken
RUN exit 1
`;

/** The features published as the reference CLI publishes them, pushed to the local cloud's registry. */
async function publishFeatures(registry: string): Promise<void> {
  for (const id of ['base-tools', 'greeting']) {
    const dir = new URL(`${id}/`, FEATURES);
    const files = Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(new URL(name, dir), 'utf8').replaceAll('REGISTRY', registry)]));
    await pushFeature(registry, `kamal-dev/features/${id}`, '1', await featureArtifact(files));
  }
}

describeIf(requirements(), 'end to end on the local cloud: a Dockerfile build and features, built on the VMs', () => {
  let cloud: LocalCloud;
  let project: Project;
  let registry: string;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    registry = cloud.images.v1.split('/')[0]!;
    await publishFeatures(registry);
    project = e2eProject(cloud);
    // The features' registry is the local cloud's, without TLS: every command that reads devcontainer.json resolves them.
    project.env.KAMAL_DEV_INSECURE_REGISTRIES = registry;
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  const builds = async (name: string) => ((await project.run(['logs', name, '--lifecycle'])).stdout.match(/^=== \S+ build kamal-dev\//gm) ?? []).length;

  it('a Dockerfile project on 3 VMs: argument, target and .dockerignore applied; unchanged: nothing built or replaced; edited: rebuilt and replaced', async () => {
    const dc = path.join(project.dir, '.devcontainer');
    writeFileSync(path.join(dc, 'Dockerfile'), dockerfile('one'));
    writeFileSync(path.join(dc, '.dockerignore'), 'secret.txt\n');
    writeFileSync(path.join(dc, 'secret.txt'), 'do not send\n');
    writeFileSync(path.join(dc, 'kept.txt'), 'sent\n');
    writeFileSync(path.join(dc, 'devcontainer.json'), JSON.stringify({
      build: { dockerfile: 'Dockerfile', context: '.', args: { BASE: cloud.images.v1, GREETING: 'built-with-arg' }, target: 'dev' },
      workspaceFolder: '/workspace',
    }));

    await step('deploy --count 3: each VM builds the image', async () => {
      const r = await project.run(['deploy', '--count', '3', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      for (const name of NAMES) expect(await builds(name)).toBe(1);
    });

    await step('the argument and the target applied, the ignored file absent', async () => {
      for (const name of NAMES) {
        const r = await project.run(['exec', name, '--', 'sh', '-c', 'cat /greeting /marker; ls /ctx']);
        expect([r.code, r.stdout], r.stderr).toEqual([0, 'built-with-arg\none\nDockerfile\ndevcontainer.json\nkept.txt\n']);
      }
    });

    await step('deploy again: no build, no container replaced', async () => {
      const r = await project.run(['deploy', '--count', '3', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/e2e-dev-3 .*running +unchanged/);
      expect(r.stdout + r.stderr).not.toMatch(/replaced|created/);
      for (const name of NAMES) expect(await builds(name)).toBe(1);
    });

    await step('an edited Dockerfile: rebuilt and replaced', async () => {
      writeFileSync(path.join(dc, 'Dockerfile'), dockerfile('two'));
      const r = await project.run(['deploy', '--count', '3', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      const listed = JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>;
      for (const name of NAMES) {
        const onVm = await project.ssh(listed[name]!.vm_ip, `cat .kamal-dev/logs/${name}.lifecycle.log | grep '^==='; ls -la .kamal-dev/logs .kamal-dev/builds`);
        expect(await builds(name), `${r.stdout}\n${r.stderr}\n${JSON.stringify(onVm)}`).toBe(2);
        expect((await project.run(['exec', name, '--', 'cat', '/marker'])).stdout).toBe('two\n');
      }
    });

    await step('remove --all', async () => {
      expect((await project.run(['remove', '--all', '--force'])).code).toBe(0);
    });
  }, 900_000);

  it('two features from the registry, one depending on the other, with options, their containerEnv and hooks; an image label that sets remoteUser', async () => {
    const dc = path.join(project.dir, '.devcontainer');
    mkdirSync(dc, { recursive: true });
    writeFileSync(path.join(dc, 'Dockerfile'), `ARG BASE\nFROM \${BASE}\nLABEL devcontainer.metadata='[{"remoteUser":"nobody","remoteEnv":{"FROM_LABEL":"yes"}}]'\n`);
    writeFileSync(path.join(dc, 'devcontainer.json'), JSON.stringify({
      build: { dockerfile: 'Dockerfile', args: { BASE: cloud.images.v1 } },
      workspaceFolder: '/workspace',
      features: { [`${registry}/kamal-dev/features/greeting:1`]: { greeting: 'howdy', loud: true } },
      postCreateCommand: 'echo devcontainer-postcreate >> /tmp/hooks',
    }));
    const env = {};

    await step('deploy: base built, features installed in order', async () => {
      const r = await project.run(['deploy', '--count', '1', '--yes'], env);
      expect(r.code, r.stderr).toBe(0);
      const order = await project.run(['exec', NAMES[0]!, '--', 'cat', '/opt/install-order', '/opt/base-tools/marker', '/opt/greeting/text']);
      expect(order.stdout, `${r.stdout}\n${order.stderr}\n${(await project.run(['logs', NAMES[0]!, '--lifecycle'])).stdout.slice(-3000)}`).toBe('base-tools ran as root for nobody\ngreeting ran as root\nfrom-greeting\nHOWDY\n');
    });

    await step("the features' containerEnv is set; their postCreateCommand ran before devcontainer.json's; exec runs as the label's remoteUser", async () => {
      const r = await project.run(['exec', NAMES[0]!, '--', 'sh', '-c', 'echo "$GREETING_FILE $BASE_TOOLS_HOME $FROM_LABEL"; cat /tmp/hooks; id -un'], env);
      expect([r.code, r.stdout], r.stderr).toEqual([0, '/opt/greeting/text /opt/base-tools yes\nfeature-postcreate\ndevcontainer-postcreate\nnobody\n']);
    });

    await step('remove --all', async () => {
      expect((await project.run(['remove', '--all', '--force'], env)).code).toBe(0);
    });
  }, 900_000);
});
