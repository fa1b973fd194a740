import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegistryConfig } from '../../src/config/registry-schema.js';
import type { BuildSource, FeaturesSource, ImageSource } from '../../src/devcontainer/image-source.js';
import { envFileContent } from '../../src/docker/env-file.js';
import { engineAllowsHttp } from '../../src/docker/registry-config.js';
import type { Step } from '../../src/deploy/events.js';
import { ensureImage } from '../../src/deploy/image.js';
import { credentialHelperScript, dockerConfigJson } from '../../src/deploy/registry-auth.js';
import { RegistryPushes } from '../../src/deploy/registry-pushes.js';
import { Secret } from '../../src/lib/secret.js';
import { FakeRegistry, RegistryVm, type RegistryVmOptions } from '../fakes/registry-host.js';

const SERVER = 'registry.example.test:5000';
const REF = `${SERVER}/kamal-dev/myapp:0123456789abcdef0123`;
const WORKSPACES = ['myapp-1', 'myapp-2', 'myapp-3'];
const PASSWORD = 'pa"ss\\word-7f3e';
const SECRETS = new Map([['REGISTRY_PASSWORD', new Secret(PASSWORD)], ['GITHUB_TOKEN', new Secret('ghp_other')]]);
const WITH_CREDENTIALS: RegistryConfig = { server: SERVER, username: 'deployer', password: ['REGISTRY_PASSWORD'] };
const ANONYMOUS: RegistryConfig = { server: SERVER };

const source = (ref = REF): BuildSource => ({
  kind: 'build', ref, hash: '0123456789abcdef0123456789abcdef', context: new Uint8Array([1, 2, 3]), dockerfile: 'Dockerfile',
  args: {}, target: undefined, cacheFrom: [], options: [],
});

interface Run {
  vms: RegistryVm[];
  registry: FakeRegistry;
  results: PromiseSettledResult<unknown>[];
  steps: Map<string, Step[]>;
}

/** ensureImage for each workspace at once (one VM each, or all on `shared`), as one deploy run does. */
async function deployRun(options: {
  registry?: RegistryConfig | undefined;
  fake?: FakeRegistry;
  vm?: RegistryVmOptions;
  insecure?: string[];
  shared?: boolean;
  workspaces?: string[];
  image?: ImageSource;
}): Promise<Run> {
  const registry = options.fake ?? new FakeRegistry();
  const names = options.workspaces ?? WORKSPACES;
  const vms = options.shared ? [new RegistryVm('10.0.0.1', registry, options.vm)] : names.map((_, i) => new RegistryVm(`10.0.0.${i + 1}`, registry, options.vm));
  const pushes = new RegistryPushes();
  const steps = new Map<string, Step[]>();
  const results = await Promise.allSettled(
    names.map((workspace, i) => {
      const vm = vms[options.shared ? 0 : i]!;
      steps.set(workspace, []);
      return ensureImage({
        executor: vm.executor, workspace, home: '/root', json: { image: REF }, step: (step) => steps.get(workspace)!.push(step),
        registry: options.registry && {
          config: options.registry, pushes, insecure: options.insecure ?? [],
          envFile: { path: `/root/.kamal-dev/env/${workspace}.env`, content: envFileContent(SECRETS) },
        },
      }, options.image ?? source());
    }),
  );
  return { vms, registry, results, steps };
}

const total = (vms: RegistryVm[], key: 'builds' | 'pulls') => vms.reduce((n, vm) => n + vm[key].length, 0);

describe('registry: a built image is built once per run, pushed, and pulled by the other VMs', () => {
  it('3 workspaces, an empty registry: exactly 1 build and 1 push, 2 pulls; the others waited for the push', async () => {
    const run = await deployRun({ registry: WITH_CREDENTIALS });
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(total(run.vms, 'builds')).toBe(1);
    expect(run.registry.pushes).toEqual([REF]);
    expect(total(run.vms, 'pulls')).toBe(2);
    // the first to find the registry empty builds; each VM ends up with the image
    const builder = run.vms.findIndex((vm) => vm.builds.length === 1);
    for (const vm of run.vms) expect(vm.images.has(REF)).toBe(true);
    expect(run.steps.get(WORKSPACES[builder]!)).toEqual(['image.pull', 'image.build', 'image.push']);
    for (const [i, name] of WORKSPACES.entries()) {
      if (i !== builder) expect(run.steps.get(name)).toEqual(['image.pull', 'image.wait', 'image.pull']);
    }
    // the builder's lifecycle log has the build and the push; the others say they pulled
    expect(run.vms[builder]!.log).toMatch(new RegExp(`^=== \\S+ build ${REF}: exit 0\n`, 'm'));
    expect(run.vms[builder]!.log).toMatch(new RegExp(`^=== \\S+ push ${REF}: exit 0\n`, 'm'));
    for (const [i, vm] of run.vms.entries()) {
      if (i !== builder) expect(vm.log).toMatch(new RegExp(`^=== \\S+ pulled ${REF} \\(built and pushed by ${WORKSPACES[builder]}\\): exit 0\n`, 'm'));
      if (i !== builder) expect(vm.log).not.toMatch(/ build /);
    }
  });

  it('the registry has the tag already (a previous run pushed it): every VM pulls, none builds', async () => {
    const fake = new FakeRegistry();
    fake.tags.add(REF);
    const run = await deployRun({ registry: WITH_CREDENTIALS, fake });
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(total(run.vms, 'builds')).toBe(0);
    expect(total(run.vms, 'pulls')).toBe(3);
    expect(fake.pushes).toEqual([]);
    for (const name of WORKSPACES) expect(run.steps.get(name)).toEqual(['image.pull']);
    for (const vm of run.vms) expect(vm.log).toMatch(new RegExp(`^=== \\S+ pulled ${REF} \\(already in the registry\\): exit 0\n`, 'm'));
  });

  it('a VM that already has the tag does nothing: no pull, no build, no upload', async () => {
    const fake = new FakeRegistry();
    const vm = new RegistryVm('10.0.0.9', fake);
    vm.images.add(REF);
    await ensureImage({
      executor: vm.executor, workspace: 'myapp-1', home: '/root', json: { image: REF }, step: () => undefined,
      registry: { config: WITH_CREDENTIALS, pushes: new RegistryPushes(), insecure: [], envFile: { path: '/root/.kamal-dev/env/myapp-1.env', content: envFileContent(SECRETS) } },
    }, source());
    expect(vm.executor.argvs).toEqual([['docker', 'image', 'inspect', '--format', '{{json .Config}}', REF]]);
    expect(vm.executor.uploads).toEqual([]);
  });

  it('a failed build fails the workspace that built and every one waiting for it, each with the end of the build log', async () => {
    const log = `${Array.from({ length: 30 }, (_, i) => `Step ${i}/30 : RUN make`).join('\n')}\nmake: *** [all] Error 2\n`;
    const run = await deployRun({ registry: WITH_CREDENTIALS, vm: { buildFails: log } });
    expect(run.results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const messages = run.results.map((r) => ((r as PromiseRejectedResult).reason as Error).message);
    for (const message of messages) {
      expect(message).toContain(`build ${REF} failed (exit 1); the end of its log (all of it in logs NAME --lifecycle):\n`);
      expect(message).toContain('Step 29/30 : RUN make\nmake: *** [all] Error 2');
      expect(message).not.toContain('Step 10/30');
    }
    expect(messages.filter((m) => m.startsWith(`${REF}: built for this deploy by myapp-`))).toHaveLength(2);
    expect(run.registry.pushes).toEqual([]);
    expect(total(run.vms, 'pulls')).toBe(0);
  });

  it('a features image: built (its content image, then the image) on one VM and pushed; its base pulled there only', async () => {
    const fake = new FakeRegistry();
    fake.tags.add('base.example.test/tools:1');
    const features: FeaturesSource = {
      kind: 'features', ref: REF, hash: 'fedcba9876543210fedcba9876543210', base: { kind: 'pull', ref: 'base.example.test/tools:1' },
      features: [], content: new Uint8Array([4, 5, 6]), generated: [],
    };
    const run = await deployRun({ registry: ANONYMOUS, fake, image: features });
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const builder = run.vms.find((vm) => vm.builds.length > 0)!;
    expect(builder.builds).toEqual([expect.stringMatching(/^kamal-dev-feature-content:/), REF]);
    expect(builder.pulls).toEqual(['base.example.test/tools:1']);
    expect(total(run.vms, 'builds')).toBe(2);
    expect(fake.pushes).toEqual([REF]);
    expect(run.vms.filter((vm) => vm !== builder).map((vm) => vm.pulls)).toEqual([[REF], [REF]]);
  });

  it('without registry: each VM builds (3 builds, no push, no pull)', async () => {
    const run = await deployRun({ registry: undefined });
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(total(run.vms, 'builds')).toBe(3);
    expect(total(run.vms, 'pulls')).toBe(0);
    expect(run.registry.pushes).toEqual([]);
    for (const vm of run.vms) expect(vm.executor.argvs.some((argv) => argv.includes('push') || argv.includes('pull'))).toBe(false);
  });

  it('two workspaces on one VM (spread: false): one build there, and the other uses it without a pull', async () => {
    const run = await deployRun({ registry: ANONYMOUS, shared: true, workspaces: ['myapp-1', 'myapp-2'] });
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(run.vms[0]!.builds).toEqual([REF]);
    expect(run.vms[0]!.pulls).toEqual([]);
    expect(run.registry.pushes).toEqual([REF]);
    expect(run.vms[0]!.log).toMatch(new RegExp(`^=== \\S+ ${REF} built on this VM by myapp-1: exit 0\n`, 'm'));
  });

  it('a pull refused for another reason (no credentials) fails the workspace: nothing is built', async () => {
    const fake = new FakeRegistry();
    fake.auth = { host: SERVER };
    const run = await deployRun({ registry: ANONYMOUS, fake, workspaces: ['myapp-1'] });
    expect(((run.results[0] as PromiseRejectedResult).reason as Error).message).toBe(`pull of ${REF} failed (exit 1):\nError response from daemon: Head "http://registry/v2/": no basic auth credentials`);
    expect(total(run.vms, 'builds')).toBe(0);
  });
});

describe('registry credentials: a credential helper reading the 0600 env file, never docker login', () => {
  it('pull and push run with the kamal-dev DOCKER_CONFIG; its config.json names only the helper; literal files and argv', async () => {
    const fake = new FakeRegistry();
    fake.auth = { host: SERVER };
    const run = await deployRun({ registry: WITH_CREDENTIALS, fake });
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const builder = run.vms.find((vm) => vm.builds.length === 1)!;
    const dir = (ws: string) => `/root/.kamal-dev/docker/${ws}`;
    const wrap = (ws: string, ...argv: string[]) => ['sh', '-c', 'export DOCKER_CONFIG="$0" PATH="$0:$PATH"; exec "$@"', dir(ws), ...argv];
    const ws = WORKSPACES[run.vms.indexOf(builder)]!;
    expect(builder.executor.argvs.filter((argv) => argv.includes('pull') || argv.includes('push'))).toEqual([wrap(ws, 'docker', 'pull', REF), wrap(ws, 'docker', 'push', REF)]);
    expect(builder.executor.uploads.filter((u) => !u.path.endsWith('.tar')).map((u) => [u.path, u.mode.toString(8)])).toEqual([
      [`/root/.kamal-dev/env/${ws}.env`, '600'],
      [`${dir(ws)}/config.json`, '600'],
      [`${dir(ws)}/docker-credential-kamal-dev`, '700'],
    ]);
    expect(builder.executor.uploads.find((u) => u.path.endsWith('config.json'))!.content).toBe(`{\n  "credHelpers": {\n    "${SERVER}": "kamal-dev"\n  }\n}\n`);
    expect(builder.executor.uploads.find((u) => u.path.endsWith('kamal-dev'))!.content).toBe(credentialHelperScript({ server: SERVER, username: { literal: 'deployer' }, password: { secret: 'REGISTRY_PASSWORD' } }, `/root/.kamal-dev/env/${ws}.env`));
  });

  it('no secret (nor its base64) reaches an argv, a stdin, the lifecycle log or any VM file but the env file', async () => {
    const fake = new FakeRegistry();
    fake.auth = { host: SERVER };
    const run = await deployRun({ registry: WITH_CREDENTIALS, fake });
    const forms = [PASSWORD, Buffer.from(PASSWORD).toString('base64'), 'ghp_other'];
    for (const vm of run.vms) {
      for (const entry of vm.executor.history) {
        const text = entry.kind === 'run' ? entry.argv.join(' ') + String(entry.stdin ?? '') : entry.path.endsWith('.env') ? '' : String(entry.content);
        for (const form of forms) expect(text).not.toContain(form);
      }
      for (const form of forms) expect(vm.log).not.toContain(form);
      const envFiles = vm.executor.uploads.filter((u) => u.path.endsWith('.env'));
      expect(envFiles.every((u) => u.mode === 0o600)).toBe(true);
    }
  });

  it('the helper answers `get` for its registry with the values from the env file, JSON-escaped; nothing for another one; stores nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-helper-'));
    const envFile = path.join(dir, 'ws.env');
    writeFileSync(envFile, envFileContent(new Map([['REGISTRY_USER', new Secret('ci\tbot')], ['REGISTRY_PASSWORD', new Secret(PASSWORD)]])).reveal(), { mode: 0o600 });
    const helper = path.join(dir, 'docker-credential-kamal-dev');
    writeFileSync(helper, credentialHelperScript({ server: `${SERVER}/team`, username: { secret: 'REGISTRY_USER' }, password: { secret: 'REGISTRY_PASSWORD' } }, envFile), { mode: 0o700 });
    const get = execFileSync(helper, ['get'], { input: SERVER, encoding: 'utf8' });
    expect(JSON.parse(get)).toEqual({ ServerURL: SERVER, Username: 'ci\tbot', Secret: PASSWORD });
    const other = spawnSync(helper, ['get'], { input: 'ghcr.io', encoding: 'utf8' });
    expect([other.status, other.stdout]).toEqual([1, 'credentials not found in native keychain\n']);
    expect(execFileSync(helper, ['list'], { encoding: 'utf8' })).toBe('{}\n');
    expect(spawnSync(helper, ['store'], { input: '{"ServerURL":"x","Username":"u","Secret":"s"}', encoding: 'utf8' })).toMatchObject({ status: 0, stdout: '' });
    // a literal user name is written into the helper, escaped for JSON and for the shell
    const literal = path.join(dir, 'literal');
    writeFileSync(literal, credentialHelperScript({ server: SERVER, username: { literal: `o'neil "ci"` }, password: { secret: 'REGISTRY_PASSWORD' } }, envFile), { mode: 0o700 });
    expect(JSON.parse(execFileSync(literal, ['get'], { input: SERVER, encoding: 'utf8' }))).toEqual({ ServerURL: SERVER, Username: `o'neil "ci"`, Secret: PASSWORD });
  });

  it('config.json keys the helper by the host of registry.server (a path after it is not part of it)', () => {
    expect(dockerConfigJson('ghcr.io/acme')).toBe('{\n  "credHelpers": {\n    "ghcr.io": "kamal-dev"\n  }\n}\n');
  });
});

describe('insecure registries (KAMAL_DEV_INSECURE_REGISTRIES): plain HTTP only where the VM engine allows it', () => {
  const engine = (config: unknown) => JSON.stringify(config);

  it("a server the VM's engine has in insecure-registries, by name or CIDR, passes; another does not", () => {
    const config = engine({ InsecureRegistryCIDRs: ['127.0.0.0/8', '10.1.0.0/16'], IndexConfigs: { 'docker.io': { Secure: true }, 'reg.lan:5000': { Name: 'reg.lan:5000', Secure: false } } });
    expect(engineAllowsHttp(config, 'reg.lan:5000')).toBe(true);
    expect(engineAllowsHttp(config, '10.1.7.3:5000')).toBe(true);
    expect(engineAllowsHttp(config, '10.2.0.1:5000')).toBe(false);
    expect(engineAllowsHttp(config, 'reg.lan:5001')).toBe(false);
    expect(engineAllowsHttp(config, 'docker.io')).toBe(false);
  });

  it("a server named there that the VM's engine does not allow fails the workspace with what to change; nothing is pulled or built", async () => {
    const run = await deployRun({ registry: ANONYMOUS, insecure: [SERVER], workspaces: ['myapp-1'] });
    const error = (run.results[0] as PromiseRejectedResult).reason as Error & { hint?: string };
    expect(error.message).toBe(`registry.server ${SERVER} is named in KAMAL_DEV_INSECURE_REGISTRIES (plain HTTP), but the Docker engine on 10.0.0.1 does not have it in its insecure-registries`);
    expect(error.hint).toContain('"insecure-registries" in /etc/docker/daemon.json');
    expect(run.vms[0]!.executor.argvs.filter((argv) => argv.includes('pull') || argv.includes('build'))).toEqual([]);
  });

  it('a server the engine allows: pushed and pulled as usual', async () => {
    const run = await deployRun({ registry: ANONYMOUS, insecure: [SERVER], vm: { registryConfig: { IndexConfigs: { [SERVER]: { Secure: false } } } } });
    expect(run.results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect([total(run.vms, 'builds'), total(run.vms, 'pulls')]).toEqual([1, 2]);
  });
});
