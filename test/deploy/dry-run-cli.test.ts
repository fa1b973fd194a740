import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
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
    expect(result.stdout).toContain('-p 3000:3000 -p 5432:5432 -e RAILS_ENV=development --cpus 2 --memory 4g --user vscode -w /workspace --entrypoint /bin/sh ruby:3.2 -c');
    expect(result.stdout).toContain(`'echo Container started; trap "exit 0" 15; exec "$@"; while sleep 1 & wait $!; do :; done' -`);
    expect(result.stdout).toContain('env file /root/.kamal-dev/env/myapp-dev-1.env: GITHUB_TOKEN_B64, DATABASE_URL_B64');
    expect(result.stdout).toContain('Cost: not estimated (3 new VM(s))');
    expectNoSecrets(result.stdout + result.stderr);
    expect(project.snapshot()).toEqual(before);
  });

  it('json: SPEC section 5 shape, --count overrides vms.count', async () => {
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

  it('a missing SSH key pair is found before anything else', async () => {
    rmSync(path.join(project.home, '.ssh', 'id_rsa'));
    const result = await dryRun();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ERROR: config\/dev\.yml: ssh\.key_path: the private key .*id_rsa" does not exist/);
  });

  it('--from a file that does not exist', async () => {
    const result = await dryRun('--from', 'nope/devcontainer.json');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERROR: nope/devcontainer.json: no such file');
  });
});
