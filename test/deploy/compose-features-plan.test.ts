import { describe, expect, it } from 'vitest';
import type { ComposeBundle } from '../../src/devcontainer/compose-config.js';
import type { ComposeServiceDefinition } from '../../src/devcontainer/compose-service.js';
import type { BaseImageSource, FeaturesSource } from '../../src/devcontainer/image-source.js';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';
import { ensureComposeImage } from '../../src/deploy/compose-image.js';
import { bindWorkspace, buildServicePlan, type ImageFacts } from '../../src/deploy/workspace.js';
import { Secret } from '../../src/lib/secret.js';
import { quoteArgv } from '../../src/remote/quote.js';
import { ScriptedExecutor, type Expectation } from '../fakes/scripted-executor.js';
import { loadedConfig, ROOT } from './make-plan.js';

const DEVCONTAINER = JSON.stringify({
  dockerComposeFile: 'docker-compose.yml',
  service: 'app',
  workspaceFolder: '/workspace',
  features: { './feature': { flavour: 'mint' } },
  postCreateCommand: 'echo from-devcontainer',
});

const IMAGE_SERVICE: ComposeServiceDefinition = { image: 'ruby:3.2', imageAt: 'x', build: undefined, entrypoint: undefined, command: ['sleep', 'infinity'], otherBuilds: [] };
const BUILD_SERVICE: ComposeServiceDefinition = {
  image: undefined, imageAt: undefined, entrypoint: undefined, command: undefined, otherBuilds: ['web'],
  build: { context: '.devcontainer/app', dockerfile: 'Dockerfile', written: { context: './app' }, at: 'x' },
};
const COMPOSE_BASE: BaseImageSource = { kind: 'compose-build', ref: 'kamal-dev/myapp-dev:base0123', hash: 'b'.repeat(64), service: 'app' };

function featuresOn(base: BaseImageSource): FeaturesSource {
  return { kind: 'features', ref: 'kamal-dev/myapp-dev:feat4567', hash: 'f'.repeat(64), base, features: [], content: new Uint8Array(), generated: [] };
}

function servicePlan(definition: ComposeServiceDefinition, image: FeaturesSource) {
  const parsed = parseDevcontainer(DEVCONTAINER, '.devcontainer/devcontainer.json', { env: {}, projectFolder: ROOT });
  const bundle: ComposeBundle = {
    ...parsed.composeSettings!, services: ['app', 'db', 'web'], uploads: ['.devcontainer/app'], definition, pack: () => Promise.resolve(Buffer.from('tar')),
  };
  const config = loadedConfig({ image: '.devcontainer/devcontainer.json' });
  return buildServicePlan({ config, devcontainer: { ...parsed, compose: bundle, image, json: { ...parsed.json, image: image.ref } }, secrets: new Map([['GITHUB_TOKEN', new Secret('ghp_x')]]) });
}

/** The features image's label as buildFeatures writes it, without devcontainer.json's last entry: the base's, then the feature's. */
const FACTS: ImageFacts = {
  metadata: [
    { remoteUser: 'vscode' },
    { id: './feature', containerEnv: { FLAVOUR_FILE: '/opt/flavour' }, postCreateCommand: 'echo from-feature', capAdd: ['SYS_PTRACE'], mounts: ['type=volume,source=cache-${devcontainerId},target=/cache'] },
  ],
  entrypoint: [],
  cmd: ['sh'],
};

const F = '-f /root/.kamal-dev/compose/myapp-dev-1/.devcontainer/docker-compose.yml -f /root/.kamal-dev/compose/myapp-dev-1.override.yml';

describe('a Compose service with features: the plan', () => {
  it("an image: service: the override runs the features image with the features' properties; the image's label sets remoteUser; the feature's hook first", () => {
    const plan = bindWorkspace(servicePlan(IMAGE_SERVICE, featuresOn({ kind: 'pull', ref: 'ruby:3.2' })), { name: 'myapp-dev-1', index: 1, home: '/root', composeEngine: ['docker-compose'] }, FACTS);
    const override = plan.compose!.overrideContent.replace(/cache-[0-9a-z]+/g, 'cache-<id>');
    expect(override.split('\n').slice(0, 19)).toEqual([
      'services:',
      '  app:',
      '    image: kamal-dev/myapp-dev:feat4567',
      '    container_name: myapp-dev-1',
      '    labels:',
      '      kamal-dev.service: myapp-dev',
      '      kamal-dev.workspace: myapp-dev-1',
      '    volumes:',
      '      - /root/.kamal-dev/workspaces/myapp-dev-1:/workspace',
      '      - type: volume',
      '        source: cache-<id>',
      '        target: /cache',
      '    env_file:',
      '      - /root/.kamal-dev/env/myapp-dev-1.env',
      '    working_dir: /workspace',
      '    environment:',
      '      FLAVOUR_FILE: /opt/flavour',
      '    cap_add:',
      '      - SYS_PTRACE',
    ]);
    expect(override).toContain('volumes:\n  cache-<id>:\n    name: cache-<id>\n');
    expect(quoteArgv(plan.dockerRun)).toBe(`docker-compose -p myapp-dev-1 ${F} up -d --build --remove-orphans`);
    expect(plan.compose!.buildOthers).toBeUndefined();
    expect(plan.remoteUser).toBe('vscode');
    expect(plan.lifecycle.postCreate.map((group) => group.map((c) => quoteArgv(c.argv)))).toEqual([
      ['docker exec -u vscode -w /workspace --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 /bin/sh -c \'echo from-feature\''],
      ['docker exec -u vscode -w /workspace --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 /bin/sh -c \'echo from-devcontainer\''],
    ]);
  });

  it('a build: service: up without --build (it would build over the features image), after Compose builds the other services', () => {
    const plan = bindWorkspace(servicePlan(BUILD_SERVICE, featuresOn(COMPOSE_BASE)), { name: 'myapp-dev-1', index: 1, home: '/root', composeEngine: ['docker-compose'] }, FACTS);
    expect(quoteArgv(plan.dockerRun)).toBe(`docker-compose -p myapp-dev-1 ${F} up -d --remove-orphans`);
    expect(quoteArgv(plan.compose!.buildOthers!)).toBe(`docker-compose -p myapp-dev-1 ${F} build web`);
    expect(plan.compose!.overrideContent).toContain('    image: kamal-dev/myapp-dev:feat4567\n');
  });

  it("a build: service without features runs Compose's build of it under its tag, also without --build", () => {
    const service = servicePlan(BUILD_SERVICE, featuresOn(COMPOSE_BASE));
    const plan = bindWorkspace({ ...service, devcontainer: { ...service.devcontainer, image: COMPOSE_BASE, features: [] } }, { name: 'myapp-dev-1', index: 1, home: '/root', composeEngine: ['docker-compose'] });
    expect(plan.compose!.overrideContent).toContain('  app:\n    image: kamal-dev/myapp-dev:base0123\n');
    expect(quoteArgv(plan.dockerRun)).toBe(`docker-compose -p myapp-dev-1 ${F} up -d --remove-orphans`);
  });

  it('a changed features image changes the spec hash (the container is replaced); the same one keeps it', () => {
    const bind = (image: FeaturesSource) => bindWorkspace(servicePlan(IMAGE_SERVICE, image), { name: 'myapp-dev-1', index: 1, home: '/root' }, FACTS).specHash;
    const base: BaseImageSource = { kind: 'pull', ref: 'ruby:3.2' };
    expect(bind(featuresOn(base))).toBe(bind(featuresOn(base)));
    expect(bind({ ...featuresOn(base), ref: 'kamal-dev/myapp-dev:other' })).not.toBe(bind(featuresOn(base)));
  });
});

const CONFIG = (labels: string) => ({ stdout: `${JSON.stringify({ User: '', Labels: JSON.parse(labels) as unknown, Entrypoint: null, Cmd: ['sh'] })}\n` });
const inspectOf = (ref: string) => ['docker', 'image', 'inspect', '--format', '{{json .Config}}', ref];

describe('a Compose service with features (or a build): the image on the VM', () => {
  const ctx = (executor: ScriptedExecutor) => ({ executor, workspace: 'myapp-dev-1', home: '/root', json: { image: '' }, step: () => undefined });

  it('present features image: read, nothing pulled or built', async () => {
    const plan = servicePlan(IMAGE_SERVICE, featuresOn({ kind: 'pull', ref: 'ruby:3.2' }));
    const vm = new ScriptedExecutor('10.0.0.5', [{ argv: inspectOf('kamal-dev/myapp-dev:feat4567'), result: CONFIG('{"devcontainer.metadata":"[{\\"remoteUser\\":\\"vscode\\"},{\\"id\\":\\"./feature\\"},{\\"postCreateCommand\\":\\"x\\"}]"}') }]);
    const ready = await ensureComposeImage(ctx(vm), plan.devcontainer, ['docker-compose']);
    expect(ready.facts.metadata).toEqual([{ remoteUser: 'vscode' }, { id: './feature' }]);
    expect(vm.argvs).toEqual([inspectOf('kamal-dev/myapp-dev:feat4567')]);
  });

  it("a label without devcontainer.json's entry (it had nothing to write): the last feature's entry is kept", async () => {
    const plan = servicePlan(IMAGE_SERVICE, featuresOn({ kind: 'pull', ref: 'ruby:3.2' }));
    const label = JSON.stringify({ 'devcontainer.metadata': JSON.stringify([{ remoteUser: 'vscode' }, { id: './feature', postCreateCommand: 'echo from-feature' }]) });
    const vm = new ScriptedExecutor('10.0.0.5', [{ argv: inspectOf('kamal-dev/myapp-dev:feat4567'), result: CONFIG(label) }]);
    const ready = await ensureComposeImage(ctx(vm), plan.devcontainer, ['docker-compose']);
    expect(ready.facts.metadata).toEqual([{ remoteUser: 'vscode' }, { id: './feature', postCreateCommand: 'echo from-feature' }]);
  });

  it("a build: service without its base: Compose builds it under the base's tag (an override naming the image), then the features are layered", async () => {
    const plan = servicePlan(BUILD_SERVICE, featuresOn(COMPOSE_BASE));
    let baseBuilt = false;
    const script: Expectation[] = [
      { argv: inspectOf('kamal-dev/myapp-dev:feat4567'), result: { exitCode: 1 } },
      { argv: inspectOf('kamal-dev/myapp-dev:base0123'), result: () => (baseBuilt ? CONFIG('{}') : { exitCode: 1 }), times: 2 },
      { argv: (argv) => argv[0] === 'sh' && argv[2]!.includes('tar -x -f -'), times: 'any' },
      { argv: (argv) => argv[0] === 'mkdir', times: 'any' },
      { argv: (argv) => argv[0] === 'docker-compose', result: () => ((baseBuilt = true), { stdout: 'built\n' }) },
      { argv: (argv) => argv[0] === 'rm', times: 'any' },
      { argv: (argv) => argv[0] === 'sh', times: 'any' },
      { argv: (argv) => argv[0] === 'docker' && argv[1] === 'build', times: 2 },
      { argv: ['docker', 'image', 'rm', `kamal-dev-feature-content:${'f'.repeat(16)}-myapp-dev-1`] },
      { argv: inspectOf('kamal-dev/myapp-dev:feat4567'), result: CONFIG('{}') },
    ];
    const vm = new ScriptedExecutor('10.0.0.5', script);
    await ensureComposeImage(ctx(vm), plan.devcontainer, ['docker-compose']);
    const build = `/root/.kamal-dev/builds/myapp-dev-1-${'b'.repeat(16)}`;
    expect(vm.argvs.filter((argv) => argv[0] === 'docker-compose').map(quoteArgv)).toEqual([
      `docker-compose -p myapp-dev-1 -f /root/.kamal-dev/compose/myapp-dev-1/.devcontainer/docker-compose.yml -f ${build}/image.yml build app`,
    ]);
    expect(vm.uploads.find((u) => u.path === `${build}/image.yml`)?.content).toBe('services:\n  app:\n    image: kamal-dev/myapp-dev:base0123\n');
    const featuresBuild = vm.argvs.filter((argv) => argv[1] === 'build').at(-1)!;
    expect(featuresBuild).toContain('_DEV_CONTAINERS_BASE_IMAGE=kamal-dev/myapp-dev:base0123');
    // The base's build folder (with its override) is removed once Compose has built.
    expect(vm.argvs).toContainEqual(['rm', '-rf', build]);
  });

  it("a build: service without features: Compose builds it when its tag is missing, and its whole label is the image's", async () => {
    const plan = servicePlan(BUILD_SERVICE, featuresOn(COMPOSE_BASE));
    const devcontainer = { ...plan.devcontainer, image: COMPOSE_BASE, features: [] };
    let built = false;
    const vm = new ScriptedExecutor('10.0.0.5', [
      { argv: inspectOf('kamal-dev/myapp-dev:base0123'), result: () => (built ? CONFIG('{"devcontainer.metadata":"[{\\"remoteUser\\":\\"node\\"}]"}') : { exitCode: 1 }), times: 2 },
      { argv: (argv) => argv[0] === 'sh' || argv[0] === 'mkdir' || argv[0] === 'rm', times: 'any' },
      { argv: (argv) => argv[0] === 'docker-compose' && argv.at(-2) === 'build', result: () => ((built = true), {}) },
    ]);
    const ready = await ensureComposeImage(ctx(vm), devcontainer, ['docker-compose']);
    expect(ready.facts.metadata).toEqual([{ remoteUser: 'node' }]);
    expect(vm.argvs.filter((argv) => argv[0] === 'docker-compose')).toHaveLength(1);
  });
});
