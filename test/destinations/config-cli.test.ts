import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempProject, writeFile } from '../helpers/project.js';

/** fixtures/seed-example with a staging destination file. */
function project(staging?: string) {
  const p = tempProject('seed-example');
  if (staging !== undefined) writeFile(p.dir, 'config/dev.staging.yml', staging);
  return { ...p, run: (args: string[]) => runCli(args, { cwd: p.dir, env: { HOME: p.home } }) };
}

/** Nothing of a run is left behind: no state, lock or secrets files beyond the fixture's own. */
function nothingCreated(dir: string): void {
  expect(readdirSync(path.join(dir, '.kamal')).sort()).toEqual(['secrets']);
}

describe('config -d NAME', () => {
  it('prints config/dev.NAME.yml merged over config/dev.yml, and the destination secrets file', async () => {
    const p = project('provider:\n  zone: de-fra1\nsecrets: [GITHUB_TOKEN]\nvms:\n  spread: false\n');
    const result = await p.run(['config', '--format', 'json', '-d', 'staging']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout);
    expect(config.provider).toMatchObject({ type: 'upcloud', zone: 'de-fra1', plan: '1xCPU-2GB' });
    expect(config.secrets).toEqual(['GITHUB_TOKEN']);
    expect(config.vms).toEqual({ count: 3, spread: false, metadata_access: false });
    expect(config.secrets_file).toBe(path.join(p.dir, '.kamal/secrets.staging'));
    // without -d: exactly the base
    const base = JSON.parse((await p.run(['config', '--format', 'json'])).stdout);
    expect(base.provider.zone).toBe('us-nyc1');
    expect(base.secrets_file).toBe(path.join(p.dir, '.kamal/secrets'));
  });

  it('takes -d before or after the command, and an empty destination file changes nothing', async () => {
    const p = project('');
    const before = await p.run(['-d', 'staging', 'config', '--format', 'json']);
    const after = await p.run(['config', '--destination=staging', '--format', 'json']);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout).provider.zone).toBe('us-nyc1');
    expect(after.stdout).toBe(before.stdout);
  });
});

describe('bad destinations: one line naming the file or the flag, exit 2, nothing created', () => {
  it('a destination whose file does not exist names the path', async () => {
    const p = project();
    for (const args of [['config', '-d', 'prod'], ['deploy', '--dry-run', '-d', 'prod'], ['deploy', '--yes', '-d', 'prod'], ['list', '--rebuild', '-d', 'prod']]) {
      const result = await p.run(args);
      expect(result.stderr.split('\n')[0], args.join(' ')).toBe('ERROR: config/dev.prod.yml: no such file');
      expect(result.code).toBe(2);
    }
    nothingCreated(p.dir);
  });

  it('a destination name with /, .. or spaces', async () => {
    const p = project('');
    for (const name of ['../staging', 'a/b', '..', 'my staging']) {
      for (const args of [['config', '-d', name], ['list', '-d', name], ['deploy', '--yes', '-d', name], ['remove', '--all', '--force', '-d', name]]) {
        const result = await p.run(args);
        expect(result.stderr, `${args.join(' ')}`).toBe(`ERROR: -d, --destination: expected a name of letters, digits, - and _ (at most 63), got ${JSON.stringify(name)}\n`);
        expect(result.code).toBe(2);
      }
    }
    nothingCreated(p.dir);
  });

  it('a bad key or value of the destination file names that file; of the base, the base', async () => {
    const cases: Array<[string, string]> = [
      ['provider:\n  zonee: de-fra1\n', 'ERROR: config/dev.staging.yml: provider.zonee: unknown key (did you mean provider.zone?)'],
      ['vms:\n  count: 0\n', 'ERROR: config/dev.staging.yml: vms.count: expected a whole number from 1 to 100, got 0'],
      ['servce: x\n', 'ERROR: config/dev.staging.yml: servce: unknown key (did you mean service?)'],
      ['provider: [a]\n', 'ERROR: config/dev.staging.yml: provider: '],
      ['- a list\n', 'ERROR: config/dev.staging.yml: expected a mapping at the top level, got a list'],
      ['provider:\n  zone: [unclosed\n', 'ERROR: config/dev.staging.yml:3:1: YAML syntax error'],
      ['naming:\n  pattern: "-{index}"\n', 'ERROR: config/dev.staging.yml: naming.pattern: yields'],
    ];
    for (const [staging, expected] of cases) {
      const p = project(staging);
      const result = await p.run(['deploy', '--dry-run', '-d', 'staging']);
      expect(result.stderr.split('\n')[0], staging).toContain(expected);
      expect(result.code, staging).toBe(2);
      nothingCreated(p.dir);
    }
    const p = project('provider:\n  zone: de-fra1\n');
    writeFile(p.dir, 'config/dev.yml', 'service: myapp-dev\nprovider:\n  type: upcloud\n  zone: us-nyc1\n  plan: p\n  plann: x\n');
    const result = await p.run(['config', '-d', 'staging']);
    expect(result.stderr.split('\n')[0]).toBe('ERROR: config/dev.yml: provider.plann: unknown key (did you mean provider.plan?)');
    expect(result.code).toBe(2);
  });

  it('deploy --dry-run -d labels the containers with the destination; without -d, no such label', async () => {
    const p = project('provider:\n  zone: de-fra1\n');
    writeFile(p.dir, '.kamal/secrets.staging', 'GITHUB_TOKEN=staging-token\nDATABASE_URL=postgres://staging\n');
    const staging = await p.run(['deploy', '--dry-run', '--format', 'json', '-d', 'staging']);
    expect(staging.code, staging.stderr).toBe(0);
    const run = JSON.parse(staging.stdout).workspaces[0];
    expect(run.vm).toEqual({ action: 'create', zone: 'de-fra1', plan: '1xCPU-2GB' });
    expect(run.docker_run.join(' ')).toContain('--label kamal-dev.service=myapp-dev --label kamal-dev.workspace=myapp-dev-1 --label kamal-dev.destination=staging --label kamal-dev.spec-hash=');
    const plain = await p.run(['deploy', '--dry-run', '--format', 'json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('kamal-dev.destination');
  });

  it('without -d nothing reads a destination file', async () => {
    const p = project('provider:\n  zonee: bad\n');
    const result = await p.run(['config', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(p.dir, '.kamal/dev_state.yml'))).toBe(false);
  });
});
