import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { seedProject, type Project } from './project.js';

const SECRET_VALUES = ['ghp_example_not_a_real_token', 'postgres://dev:dev@localhost:5432/myapp_dev'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

let project: Project;
beforeEach(() => {
  project = seedProject();
});
afterEach(() => project.cleanup());

const dryRun = (...args: string[]) => runCli(['deploy', '--dry-run', ...args], { cwd: project.dir, env: project.env });

function expectNoSecrets(text: string): void {
  for (const value of SECRET_VALUES) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(b64(value));
  }
}

describe('deploy --dry-run on fixtures/seed-example', () => {
  it('text: each workspace with its docker run quoted for a shell, no secret value, nothing written', async () => {
    const before = project.snapshot();
    const result = await dryRun();
    expect(result.stderr).not.toContain('ERROR');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan for myapp-dev: 3 workspace(s), 3 new VM(s)');
    for (const name of ['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3']) expect(result.stdout).toContain(`${name}  (new VM: 1xCPU-2GB in us-nyc1)`);
    expect(result.stdout).toContain('-p 127.0.0.1:3000:3000 -p 127.0.0.1:5432:5432 -e RAILS_ENV=development --cpus 2 --memory 4g -w /workspace --entrypoint /bin/sh ruby:3.2 -c');
    expect(result.stdout).toContain(`'echo Container started; trap "exit 0" 15; exec "$@"; while sleep 1 & wait $!; do :; done' -`);
    expect(result.stdout).toContain('env file /root/.kamal-dev/env/myapp-dev-1.env: GITHUB_TOKEN_B64, DATABASE_URL_B64');
    expect(result.stdout).toContain('Cost: not estimated (3 new VM(s))');
    expectNoSecrets(result.stdout + result.stderr);
    expect(project.snapshot()).toEqual(before);
  });

  it('json: the shape of docs/commands.md#deploy-dry-run, --count overrides vms.count', async () => {
    const result = await dryRun('--format', 'json', '--count', '2');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { service: string; workspaces: { name: string; vm: unknown; docker_run: string[]; env_file_keys: string[] }[]; cost: unknown };
    expect(plan.service).toBe('myapp-dev');
    expect(plan.cost).toBeNull();
    expect(plan.workspaces.map((w) => [w.name, w.vm])).toEqual([
      ['myapp-dev-1', { action: 'create', zone: 'us-nyc1', plan: '1xCPU-2GB' }],
      ['myapp-dev-2', { action: 'create', zone: 'us-nyc1', plan: '1xCPU-2GB' }],
    ]);
    expect(plan.workspaces[1]!.docker_run.slice(0, 5)).toEqual(['docker', 'run', '--detach', '--name', 'myapp-dev-2']);
    expect(plan.workspaces[0]!.env_file_keys).toEqual(['GITHUB_TOKEN_B64', 'DATABASE_URL_B64']);
    expectNoSecrets(result.stdout + result.stderr);
  });

  it('names come after the workspaces already in the state, which are listed as reuse', async () => {
    project.write('.kamal/dev_state.yml', 'deployments:\n  myapp-dev-2:\n    vm_id: "00ab"\n    vm_ip: "198.18.0.9"\n    container_name: myapp-dev-2\n    status: running\n');
    const result = await dryRun('--format', 'json', '--count', '2');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { workspaces: { name: string; vm: { action: string } }[] };
    expect(plan.workspaces.map((w) => [w.name, w.vm.action])).toEqual([
      ['myapp-dev-2', 'reuse'],
      ['myapp-dev-1', 'create'],
    ]);
  });

  it('--from PATH uses another devcontainer.json', async () => {
    project.write('other/devcontainer.json', '{ "image": "node:20", "containerUser": "node" }');
    const result = await dryRun('--format', 'json', '--count', '1', '--from', 'other/devcontainer.json');
    expect(result.code).toBe(0);
    const run = (JSON.parse(result.stdout) as { workspaces: { docker_run: string[] }[] }).workspaces[0]!.docker_run;
    expect(run).toContain('node:20');
    expect(run.join(' ')).toContain('--user node -w /workspaces/project');
  });

  it('provider credentials listed as secrets: a warning on stderr', async () => {
    writeFileSync(path.join(project.dir, 'config/dev.yml'), readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8').replace('  - DATABASE_URL', '  - DATABASE_URL\n  - UPCLOUD_TOKEN'));
    project.write('.kamal/secrets', 'GITHUB_TOKEN=a\nDATABASE_URL=b\nUPCLOUD_TOKEN=c\n');
    const result = await dryRun('--count', '1');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('WARNING: secrets: UPCLOUD_TOKEN will be visible inside every workspace');
  });
});

describe('deploy: usage errors (exit 2)', () => {
  for (const count of ['abc', '0', '-1', '1.5', '101', '']) {
    it(`--count ${JSON.stringify(count)}`, async () => {
      const result = await runCli(['deploy', '--dry-run', `--count=${count}`], { cwd: project.dir, env: project.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`ERROR: --count: expected a whole number from 1 to 100, got "${count}"`);
    });
  }

  it('--count 100 is accepted', async () => {
    expect((await dryRun('--count', '100', '--format', 'json')).code).toBe(0);
  });

  it('without --dry-run and without credentials: exit 2 before anything is created', async () => {
    const before = project.snapshot();
    const result = await runCli(['deploy', '--yes'], { cwd: project.dir, env: project.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERROR: UpCloud credentials missing');
    expect(project.snapshot()).toEqual(before);
  });

  it('--format of an unknown kind', async () => {
    expect((await dryRun('--format', 'yaml')).code).toBe(2);
  });

  it('a missing private key: a warning for a dry run, found before anything else by a deploy', async () => {
    rmSync(path.join(project.home, '.ssh', 'id_rsa'));
    const dry = await dryRun();
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/^WARNING: config\/dev\.yml: ssh\.key_path: the private key .*id_rsa" does not exist/m);
    expect(dry.stdout).toContain('Plan for myapp-dev: 3 workspace(s)');
    const real = await runCli(['deploy', '--yes'], { cwd: project.dir, env: project.env });
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(/^ERROR: config\/dev\.yml: ssh\.key_path: the private key .*id_rsa" does not exist/m);
    expect(real.stderr).not.toContain('credentials'); // before the credentials are looked for
  });

  it('--from a file that does not exist', async () => {
    const result = await dryRun('--from', 'nope/devcontainer.json');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERROR: nope/devcontainer.json: no such file');
  });
});

describe('the SSH key: a warning for a dry run, an error for a deploy', () => {
  const THREE = ['~/.ssh/id_ed25519.pub', '~/.ssh/id_ecdsa.pub', '~/.ssh/id_rsa.pub'];
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ bootDelayMs: 50 });
  });
  afterAll(() => emulator.close());

  /** The seed without its ssh.key_path (so the default keys apply) and a HOME whose ~/.ssh holds `keys` (pairs). */
  const withKeys = (...keys: string[]) => {
    writeFileSync(path.join(project.dir, 'config/dev.yml'), readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8').replace('ssh:\n  key_path: ~/.ssh/id_rsa.pub\n', ''));
    expect(readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8')).not.toContain('key_path');
    for (const file of ['id_rsa', 'id_rsa.pub']) rmSync(path.join(project.home, '.ssh', file), { force: true });
    for (const key of keys) {
      writeFileSync(path.join(project.home, '.ssh', key), 'not a real key\n', { mode: 0o600 });
      writeFileSync(path.join(project.home, '.ssh', `${key}.pub`), 'ssh-ed25519 AAAA test\n');
    }
  };
  const cloud = () => ({ ...project.env, UPCLOUD_API_URL: emulator.apiUrl, UPCLOUD_USERNAME: emulator.username, UPCLOUD_PASSWORD: emulator.password });
  const apiRequests = () => Object.values(emulator.stats().requests).reduce((sum, n) => sum + n, 0);

  it('no key at all: the dry run shows its plan with a warning naming the three default keys and ssh-keygen', async () => {
    withKeys();
    const result = await dryRun('--count', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Plan for myapp-dev: 1 workspace(s), 1 new VM(s)');
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('WARNING: '));
    expect(warnings).toHaveLength(1);
    for (const key of THREE) expect(warnings[0]).toContain(key);
    expect(warnings[0]).toContain('ssh-keygen -t ed25519');
    expect(result.stderr).not.toContain('ERROR');
  });

  it('no key at all: deploy (not a dry run) exits 2 naming the three, before any API request; nothing is created', async () => {
    withKeys();
    const before = project.snapshot();
    const requests = apiRequests();
    const servers = emulator.stats().live_servers;
    const result = await runCli(['deploy', '--yes', '--count', '1'], { cwd: project.dir, env: cloud() });
    expect(result.code).toBe(2);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
    expect(errors).toHaveLength(1);
    for (const key of THREE) expect(errors[0]).toContain(key);
    expect(errors[0]).toContain('ssh-keygen -t ed25519');
    expect(apiRequests()).toBe(requests);
    expect(emulator.stats().live_servers).toBe(servers);
    expect(project.snapshot()).toEqual(before);
  });

  it('only id_ecdsa: it is the key; id_ed25519 and id_rsa: ed25519 is', async () => {
    withKeys('id_ecdsa');
    const ecdsa = await dryRun('--count', '1');
    expect(ecdsa.code, ecdsa.stderr).toBe(0);
    expect(ecdsa.stderr).not.toContain('WARNING');
    const shown = await runCli(['config', '--format', 'json'], { cwd: project.dir, env: project.env });
    expect((JSON.parse(shown.stdout) as { ssh: { key_path: string } }).ssh.key_path).toBe(path.join(project.home, '.ssh/id_ecdsa.pub'));

    for (const file of ['id_ecdsa', 'id_ecdsa.pub']) rmSync(path.join(project.home, '.ssh', file));
    withKeys('id_rsa', 'id_ed25519');
    writeFileSync(path.join(project.home, '.ssh/id_ed25519.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEd25519KeyIsTheOneUsed test\n');
    const both = await runCli(['config', '--format', 'json'], { cwd: project.dir, env: project.env });
    expect((JSON.parse(both.stdout) as { ssh: { key_path: string } }).ssh.key_path).toBe(path.join(project.home, '.ssh/id_ed25519.pub'));
    // and a real deploy gives that key to the new VM
    const deployed = await runCli(['deploy', '--yes', '--count', '1'], { cwd: project.dir, env: { ...cloud(), KAMAL_DEV_BOOT_TIMEOUT_MS: '1', KAMAL_DEV_SSH_TIMEOUT_MS: '1' } });
    // (a 1 ms boot timeout: the VM is created, then not waited for, exit 1)
    expect(deployed.code, deployed.stderr).toBe(1);
    expect(deployed.stderr).not.toContain('ssh.key_path');
    const created = emulator.requestLog().filter((r) => r.method === 'POST' && r.path.endsWith('/server'));
    expect(JSON.stringify(created.at(-1)?.body)).toContain('AAAAC3NzaC1lZDI1NTE5AAAAIEd25519KeyIsTheOneUsed');
  });

  it('an ssh.key_path that does not exist: a warning for the dry run, exit 2 for deploy, naming config/dev.yml and ssh.key_path', async () => {
    writeFileSync(path.join(project.dir, 'config/dev.yml'), readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8').replace('key_path: ~/.ssh/id_rsa.pub', 'key_path: ~/.ssh/nope.pub'));
    const dry = await dryRun('--count', '1');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/^WARNING: config\/dev\.yml: ssh\.key_path: ".*\/\.ssh\/nope\.pub" does not exist/m);
    const requests = apiRequests();
    const real = await runCli(['deploy', '--yes', '--count', '1'], { cwd: project.dir, env: cloud() });
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(/^ERROR: config\/dev\.yml: ssh\.key_path: ".*\/\.ssh\/nope\.pub" does not exist/m);
    expect(apiRequests()).toBe(requests);
  });
});
