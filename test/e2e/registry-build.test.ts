import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { step } from '../helpers/step.js';
import { AUTH_REGISTRY_PORT, startRegistry, stopRegistry } from '../localcloud/netns/registry.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

const NAMES = ['e2e-dev-1', 'e2e-dev-2', 'e2e-dev-3'];
const PASSWORD = `registry-pw-${randomBytes(6).toString('hex')}`;
const BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An htpasswd line with a bcrypt hash (the only kind docker-registry takes), made by the C library's crypt through perl. */
function htpasswdLine(user: string, password: string): string {
  const salt = Array.from(randomBytes(22), (b) => BCRYPT[b % 64]).join('');
  return `${user}:${execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], { encoding: 'utf8' })}\n`;
}

describeIf(requirements(), 'end to end on the local cloud: registry: a Dockerfile image built once for 3 VMs, pushed, pulled by the others', () => {
  let cloud: LocalCloud;
  let project: Project;
  let registry: string;
  let authRegistry: string;
  let authDir: string;
  let authPid: number | undefined;
  let baseYml: string;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    registry = cloud.images.v1.split('/')[0]!;
    authRegistry = `${registry.split(':')[0]}:${AUTH_REGISTRY_PORT}`;
    authDir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-auth-registry-'));
    authPid = await startRegistry(authDir, authRegistry, { htpasswd: htpasswdLine('kamal', PASSWORD) });
    project = e2eProject(cloud);
    project.env.KAMAL_DEV_INSECURE_REGISTRIES = `${registry},${authRegistry}`;
    project.env.KAMAL_DEV_TEST_REGISTRY_PASSWORD = PASSWORD;
    const dc = path.join(project.dir, '.devcontainer');
    writeFileSync(path.join(dc, 'Dockerfile'), `ARG BASE\nFROM \${BASE}\nRUN echo ${randomBytes(4).toString('hex')} > /built-marker\n`);
    writeFileSync(path.join(dc, 'devcontainer.json'), JSON.stringify({ build: { dockerfile: 'Dockerfile', args: { BASE: cloud.images.v1 } }, workspaceFolder: '/workspace' }));
    baseYml = readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8');
  }, 180_000);

  afterAll(async () => {
    await project?.run(['remove', '--all', '--force']);
    if (authPid !== undefined) await stopRegistry(authPid);
    await cloud?.close();
    rmSync(authDir, { recursive: true, force: true });
  }, 180_000);

  const useRegistry = (lines: string, extraSecret = false) => {
    const yml = extraSecret ? baseYml.replace('  - GITHUB_TOKEN\n', '  - GITHUB_TOKEN\n  - REGISTRY_PASSWORD\n') : baseYml;
    writeFileSync(path.join(project.dir, 'config/dev.yml'), `${yml}registry:\n${lines}`);
    writeFileSync(path.join(project.dir, '.kamal/secrets'), `GITHUB_TOKEN=$KAMAL_DEV_TEST_TOKEN\n${extraSecret ? 'REGISTRY_PASSWORD=$KAMAL_DEV_TEST_REGISTRY_PASSWORD\n' : ''}`);
  };
  const imageRef = async () => (JSON.parse((await project.run(['deploy', '--dry-run', '--format', 'json', '--count', '3'])).stdout) as { workspaces: { image: { ref: string } }[] }).workspaces[0]!.image.ref;
  const logOf = async (name: string) => (await project.run(['logs', name, '--lifecycle'])).stdout;
  const ips = async () => {
    const listed = JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>;
    return NAMES.map((name) => listed[name]!.vm_ip);
  };
  /** A deploy of 3 with its progress events: the image.build steps it ran, and each workspace's lifecycle log. */
  const deploy = async () => {
    const r = await project.run(['--progress', 'json', 'deploy', '--count', '3', '--yes']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const events = r.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { type: string; step?: string; workspace: string });
    const builds = events.filter((e) => e.type === 'step' && e.step === 'image.build').map((e) => e.workspace);
    const pushes = events.filter((e) => e.type === 'step' && e.step === 'image.push').map((e) => e.workspace);
    return { r, builds, pushes };
  };
  /** A command on the VM as root (the test's own ssh client), which must succeed. */
  const onVm = async (ip: string, command: string) => {
    const r = await project.ssh(ip, command);
    expect(r.code, `${command}: ${JSON.stringify(r)}`).toBe(0);
    return r.stdout;
  };
  const imageIds = async (ref: string) => {
    const ids = await Promise.all((await ips()).map(async (ip) => (await onVm(ip, `docker image inspect --format '{{.Id}}' ${ref}`)).trim()));
    for (const id of ids) expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    return ids;
  };

  it('one build and one push for 3 VMs, the same image on each; redeploy: nothing built; new VMs: all pull; basic auth through the credential helper', async () => {
    useRegistry(`  server: ${registry}\n`);
    const ref = await imageRef();
    expect(ref).toMatch(new RegExp(`^${registry.replaceAll('.', '\\.')}/kamal-dev/e2e-dev:[0-9a-f]{20}$`));

    await step('deploy --count 3: one VM builds and pushes, the other two pull the same image', async () => {
      const { builds, pushes } = await deploy();
      expect(builds).toHaveLength(1);
      expect(pushes).toEqual(builds);
      const logs = await Promise.all(NAMES.map(logOf));
      const built = logs.map((log) => (log.match(/^=== \S+ build \S+: exit 0$/gm) ?? []).length);
      expect(built.reduce((a, b) => a + b, 0)).toBe(1);
      expect(built[NAMES.indexOf(builds[0]!)]).toBe(1);
      for (const [i, log] of logs.entries()) {
        if (NAMES[i] !== builds[0]) expect(log).toContain(`pulled ${ref} (built and pushed by ${builds[0]}): exit 0`);
      }
      // a build on each VM would give each its own image id (build times differ); a pull gives the pushed one
      expect(new Set(await imageIds(ref)).size).toBe(1);
      for (const name of NAMES) expect((await project.run(['exec', name, '--', 'cat', '/built-marker'])).code).toBe(0);
    });

    await step('deploy again: no build, no pull, nothing replaced', async () => {
      const { r, builds } = await deploy();
      expect(builds).toEqual([]);
      expect(r.stderr).not.toMatch(/"step":"image\.(pull|push)"/);
      expect(r.stdout).toMatch(/e2e-dev-3 .*running +unchanged/);
    });

    await step('remove --all, deploy to 3 new VMs: the registry has the image, so every VM pulls and none builds', async () => {
      expect((await project.run(['remove', '--all', '--force'])).code).toBe(0);
      // the new VMs may get the old addresses, with host keys of their own
      rmSync(project.client.knownHosts, { force: true });
      const { builds } = await deploy();
      expect(builds).toEqual([]);
      for (const name of NAMES) expect(await logOf(name)).toContain(`pulled ${ref} (already in the registry): exit 0`);
      expect(new Set(await imageIds(ref)).size).toBe(1);
    });

    await step('a registry with basic authentication: pushed and pulled with the password from the env file only', async () => {
      useRegistry(`  server: ${authRegistry}\n  username: kamal\n  password: [REGISTRY_PASSWORD]\n`, true);
      const authRef = await imageRef();
      expect(authRef.startsWith(`${authRegistry}/kamal-dev/e2e-dev:`)).toBe(true);
      const { r, builds, pushes } = await deploy();
      expect([builds.length, pushes]).toEqual([1, builds]);
      expect(new Set(await imageIds(authRef)).size).toBe(1);
      // the registry refuses a client without the password
      const anonymous = await project.ssh((await ips())[0]!, `DOCKER_CONFIG=$(mktemp -d) docker pull ${authRef} 2>&1`);
      expect(anonymous.code, JSON.stringify(anonymous)).not.toBe(0);
      expect(anonymous.stdout + anonymous.stderr, JSON.stringify(anonymous)).toMatch(/no basic auth credentials|unauthorized/i);
      // the password is in no output, no state, and no file of a VM but the 0600 env files
      expect(r.stdout + r.stderr + project.state()).not.toContain(PASSWORD);
      for (const ip of await ips()) {
        const files = await onVm(ip, `{ grep -rlF -- '${PASSWORD}' ~ /tmp; grep -rlF -- '${Buffer.from(PASSWORD).toString('base64')}' ~ /tmp; } 2>/dev/null | sort -u; ls ~/.docker/config.json 2>&1 | head -1; true`);
        const found = files.trim().split('\n').filter((f) => f.startsWith('/'));
        expect(found.length, files).toBeGreaterThan(0);
        expect(found.every((f) => /\/\.kamal-dev\/env\/e2e-dev-\d\.env$/.test(f)), files).toBe(true);
        expect(files).toMatch(/No such file/);
        const modes = await onVm(ip, 'stat -c "%a %n" ~/.kamal-dev/env/*.env ~/.kamal-dev/docker/*/config.json ~/.kamal-dev/docker/*/docker-credential-kamal-dev');
        expect(modes).toMatch(/^600 \S+\.env$/m);
        expect(modes).toMatch(/^600 \S+config\.json$/m);
        expect(modes).toMatch(/^700 \S+docker-credential-kamal-dev$/m);
      }
    });

    await step('a wrong password: the pull is refused and the workspace fails, nothing is built', async () => {
      project.env.KAMAL_DEV_TEST_REGISTRY_PASSWORD = 'not-the-password';
      writeFileSync(path.join(project.dir, '.devcontainer', 'Dockerfile'), `ARG BASE\nFROM \${BASE}\nRUN echo changed > /built-marker\n`);
      const r = await project.run(['--progress', 'json', 'deploy', '--count', '3', '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toMatch(/"step":"image\.build"/);
      expect(r.stdout + r.stderr).toMatch(/pull of \S+ failed/);
      project.env.KAMAL_DEV_TEST_REGISTRY_PASSWORD = PASSWORD;
    });
  }, 1_200_000);
});
