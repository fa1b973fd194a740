import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';

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
      vms: { count: 3, spread: true },
      naming: { pattern: '{service}-{index}' },
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
