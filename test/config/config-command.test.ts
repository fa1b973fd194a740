import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, tempProject } from '../helpers/project.js';

const THREE = ['~/.ssh/id_ed25519.pub', '~/.ssh/id_ecdsa.pub', '~/.ssh/id_rsa.pub'];

/**
 * fixtures/seed-example with its `ssh:` section left out (so the default key applies, or `ssh` when given),
 * and a HOME whose ~/.ssh holds exactly `keys` (each a pair: NAME and NAME.pub, unless NAME ends in .pub).
 */
function keyProject(keys: string[], ssh?: string): { dir: string; home: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-keys-'));
  const dir = path.join(root, 'project');
  const home = path.join(root, 'home');
  cpSync(path.join(FIXTURES, 'seed-example'), dir, { recursive: true });
  const devYml = path.join(dir, 'config/dev.yml');
  const text = readFileSync(devYml, 'utf8').replace('ssh:\n  key_path: ~/.ssh/id_rsa.pub\n', ssh ?? '');
  expect(text).not.toContain('id_rsa.pub'); // the seed's own key_path is gone
  writeFileSync(devYml, text);
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  for (const key of keys) {
    if (!key.endsWith('.pub')) writeFileSync(path.join(home, '.ssh', key), 'not a real key\n', { mode: 0o600 });
    writeFileSync(path.join(home, '.ssh', key.endsWith('.pub') ? key : `${key}.pub`), 'ssh-ed25519 AAAA test\n');
  }
  return { dir, home };
}

const configJson = async (project: { dir: string; home: string }, env: NodeJS.ProcessEnv = {}) => {
  const result = await runCli(['config', '--format', 'json'], { cwd: project.dir, env: { HOME: project.home, ...env } });
  return { ...result, ssh: result.code === 0 ? (JSON.parse(result.stdout) as { ssh: { key_path: string; private_key_path: string } }).ssh : undefined };
};

describe('kamal-dev config', () => {
  it('prints the fully defaulted configuration of fixtures/seed-example as JSON', async () => {
    const { dir, home } = tempProject('seed-example');
    const result = await runCli(['config', '--format', 'json'], { cwd: dir, env: { HOME: home } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      service: 'myapp-dev',
      image: '.devcontainer/devcontainer.json',
      provider: {
        type: 'upcloud',
        zone: 'us-nyc1',
        plan: '1xCPU-2GB',
        storage_template: '01000000-0000-4000-8000-000030240200',
        api_url: 'https://api.upcloud.com',
      },
      secrets: ['GITHUB_TOKEN', 'DATABASE_URL'],
      secrets_file: path.join(dir, '.kamal/secrets'),
      ssh: {
        key_path: path.join(home, '.ssh/id_rsa.pub'),
        private_key_path: path.join(home, '.ssh/id_rsa'),
        user: 'root',
        port: 22,
      },
      defaults: { cpus: 2, memory: '4g' },
      vms: { count: 3, spread: true, metadata_access: false },
      naming: { pattern: '{service}-{index}' },
      idle_timeout: 0,
      ports: { public: false },
    });
  });

  it('prints YAML by default and honours -c', async () => {
    const { dir, home } = tempProject('seed-example');
    const result = await runCli(['-c', 'config/dev.yml', 'config'], { cwd: dir, env: { HOME: home } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('service: myapp-dev\n');
    expect(result.stdout).toContain('pattern: "{service}-{index}"');
  });
});

describe('kamal-dev config: the SSH key', () => {
  it('without ssh.key_path and without any key: exit 0, the output, and a warning naming the three defaults and ssh-keygen', async () => {
    const project = keyProject([]);
    const result = await configJson(project);
    expect(result.code, result.stderr).toBe(0);
    expect(result.ssh).toMatchObject({ key_path: path.join(project.home, '.ssh/id_ed25519.pub'), private_key_path: path.join(project.home, '.ssh/id_ed25519') });
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('WARNING: '));
    expect(warnings).toHaveLength(1);
    for (const key of THREE) expect(warnings[0]).toContain(key);
    expect(warnings[0]).toContain('ssh-keygen -t ed25519');
    expect(warnings[0]).toContain('config/dev.yml');
    expect(result.stderr).not.toContain('ERROR');
  });

  it('only id_ecdsa: it is the key', async () => {
    const project = keyProject(['id_ecdsa']);
    const result = await configJson(project);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.ssh).toMatchObject({ key_path: path.join(project.home, '.ssh/id_ecdsa.pub'), private_key_path: path.join(project.home, '.ssh/id_ecdsa') });
  });

  it('id_ed25519 and id_rsa: ed25519 is the key (OpenSSH order: ed25519, ecdsa, rsa)', async () => {
    const project = keyProject(['id_rsa', 'id_ed25519']);
    const result = await configJson(project);
    expect(result.stderr).toBe('');
    expect(result.ssh?.key_path).toBe(path.join(project.home, '.ssh/id_ed25519.pub'));
    const ecdsaAndRsa = await configJson(keyProject(['id_rsa', 'id_ecdsa']));
    expect(ecdsaAndRsa.ssh?.key_path).toMatch(/\/\.ssh\/id_ecdsa\.pub$/);
  });

  it('a default public key without its private key: a warning, and none with an SSH agent', async () => {
    const project = keyProject(['id_ed25519.pub']);
    const result = await configJson(project);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^WARNING: config\/dev\.yml: ssh\.key_path: the private key ".*\/\.ssh\/id_ed25519" does not exist and no SSH agent is running/);
    const withAgent = await configJson(project, { SSH_AUTH_SOCK: path.join(project.home, 'agent.sock') });
    expect(withAgent.stderr).toBe('');
  });

  it('an ssh.key_path that does not exist: exit 0 and a warning naming config/dev.yml, ssh.key_path and the file', async () => {
    // the default keys exist: a key_path that is set is never replaced by one of them
    const project = keyProject(['id_ed25519'], 'ssh:\n  key_path: ~/.ssh/nope.pub\n');
    const result = await configJson(project);
    expect(result.code, result.stderr).toBe(0);
    expect(result.ssh?.key_path).toBe(path.join(project.home, '.ssh/nope.pub'));
    expect(result.stderr).toMatch(/^WARNING: config\/dev\.yml: ssh\.key_path: ".*\/\.ssh\/nope\.pub" does not exist/);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('kamal-dev init', () => {
  it('writes files that config accepts, refuses a second time, overwrites with --force', async () => {
    const { dir, home } = tempProject();
    const first = await runCli(['init'], { cwd: dir, env: { HOME: home } });
    expect(first.code).toBe(0);
    const secrets = path.join(dir, '.kamal/secrets');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    const config = await runCli(['config', '--format', 'json'], { cwd: dir, env: { HOME: home } });
    expect(config.code).toBe(0);
    expect(JSON.parse(config.stdout).service).toBe('project-dev');
    expect(JSON.parse(config.stdout).ssh.key_path).toBe(path.join(home, '.ssh/id_ed25519.pub'));

    const devYml = path.join(dir, 'config/dev.yml');
    const again = await runCli(['init'], { cwd: dir, env: { HOME: home } });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('ERROR: config/dev.yml already exists');
    expect(again.stderr).toContain('--force');

    const edited = readFileSync(devYml, 'utf8').replace('plan: 1xCPU-2GB', 'plan: 2xCPU-4GB');
    await import('node:fs').then((fs) => fs.writeFileSync(devYml, edited));
    const forced = await runCli(['init', '--force'], { cwd: dir, env: { HOME: home } });
    expect(forced.code).toBe(0);
    expect(readFileSync(devYml, 'utf8')).toContain('plan: 1xCPU-2GB');
  });
});

describe('kamal-dev init: the SSH key', () => {
  it('writes the key config would pick by default (OpenSSH order), or id_ed25519.pub with a warning when there is none', async () => {
    const both = keyProject(['id_rsa', 'id_ecdsa']);
    rmSync(path.join(both.dir, 'config'), { recursive: true });
    const init = await runCli(['init'], { cwd: both.dir, env: { HOME: both.home } });
    expect(init.code, init.stderr).toBe(0);
    expect(readFileSync(path.join(both.dir, 'config/dev.yml'), 'utf8')).toContain('key_path: ~/.ssh/id_ecdsa.pub');
    expect(init.stderr).not.toContain('WARNING');

    const none = keyProject([]);
    rmSync(path.join(none.dir, 'config'), { recursive: true });
    const bare = await runCli(['init'], { cwd: none.dir, env: { HOME: none.home } });
    expect(bare.code, bare.stderr).toBe(0);
    expect(readFileSync(path.join(none.dir, 'config/dev.yml'), 'utf8')).toContain('key_path: ~/.ssh/id_ed25519.pub');
    expect(bare.stderr).toContain('WARNING: ~/.ssh/id_ed25519.pub does not exist yet: create a key (ssh-keygen -t ed25519)');
  });
});

describe('help and version', () => {
  it('--version prints package.json version', async () => {
    const { dir } = tempProject();
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('--help of the program and of every command has an example', async () => {
    const { dir } = tempProject();
    const top = await runCli(['--help'], { cwd: dir });
    expect(top.code).toBe(0);
    const commandsSection = top.stdout.split('Commands:')[1]?.split('\n\n')[0] ?? '';
    const commands = [...commandsSection.matchAll(/^ {2}([a-z-]+)(?: \[options\]| \[[^\]]+\]| <[^>]+>)*\s{2,}/gm)]
      .map((m) => m[1]!)
      .filter((name) => name !== 'help');
    expect(commands.length).toBeGreaterThanOrEqual(2);
    expect(top.stdout).toMatch(/Examples:\n {2}\$ kamal-dev /);
    for (const command of commands) {
      const help = await runCli([command, '--help'], { cwd: dir });
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`Examples:\\n {2}\\$ kamal-dev ${command}`));
    }
  });
});
