import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempProject, writeFile } from '../helpers/project.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';

/** A workspace whose VM the provider does not have and whose container is not running: status and remove need no SSH. */
const STATE = `deployments:
  myapp-dev-1:
    vm_id: "00abc123-def4-5678-90ab-cdef12345678"
    vm_ip: "198.19.9.9"
    container_name: "myapp-dev-1"
    status: stopped
`;

/** A hook that appends its name and its environment to hooks.log in the project folder. */
const RECORDER = `#!/bin/sh\n{ echo "== $(basename "$0")"; env | grep -E '^(KAMAL_DEV_|GITHUB_TOKEN|DATABASE_URL|MY_OWN)' | sort; } >> hooks.log\necho "hook $(basename "$0") ran"\n`;

describe('hooks of .kamal/hooks/ through the real binary (the emulator, no SSH needed)', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ bootDelayMs: 50 });
  });
  afterAll(() => emulator.close());
  const creates = () => emulator.stats().requests['POST /1.3/server'] ?? 0;

  const project = (state?: string, stateFile = '.kamal/dev_state.yml') => {
    const p = tempProject('seed-example');
    if (state) writeFile(p.dir, stateFile, state);
    const cloud = { UPCLOUD_API_URL: emulator.apiUrl, UPCLOUD_USERNAME: emulator.username, UPCLOUD_PASSWORD: emulator.password };
    const hook = (name: string, body = RECORDER, mode = 0o755) => writeFile(p.dir, `.kamal/hooks/${name}`, body, mode);
    const log = () => (existsSync(path.join(p.dir, 'hooks.log')) ? readFileSync(path.join(p.dir, 'hooks.log'), 'utf8') : '');
    return { ...p, hook, log, run: (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: p.dir, env: { HOME: p.home, ...cloud, ...env } }) };
  };
  /** The variables of each run hook in the log, by hook. */
  const runs = (log: string) =>
    log
      .split('== ')
      .filter(Boolean)
      .map((block) => {
        const [name, ...lines] = block.trim().split('\n');
        return { name, env: Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) };
      });

  it('status runs dev-pre-connect with its variables; not the application\'s own pre-connect; no secret of the files', async () => {
    const p = project(STATE);
    execFileSync('git', ['init', '-q', p.dir]);
    execFileSync('git', ['-C', p.dir, 'config', 'user.name', 'Ada Lovelace']);
    p.hook('dev-pre-connect');
    p.hook('pre-connect', '#!/bin/sh\ntouch kamal-own-hook-ran\n');
    const result = await p.run(['status'], { MY_OWN: 'from-my-shell' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('hook dev-pre-connect ran'); // its output on stderr, stdout keeps the table
    expect(result.stdout).not.toContain('hook dev-pre-connect ran');
    expect(existsSync(path.join(p.dir, 'kamal-own-hook-ran'))).toBe(false);
    const [run] = runs(p.log());
    expect(run!.name).toBe('dev-pre-connect');
    expect(run!.env).toEqual({
      KAMAL_DEV_COMMAND: 'status',
      KAMAL_DEV_HOSTS: '198.19.9.9',
      KAMAL_DEV_PERFORMER: 'Ada Lovelace',
      KAMAL_DEV_RECORDED_AT: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      KAMAL_DEV_SERVICE: 'myapp-dev',
      KAMAL_DEV_WORKSPACES: 'myapp-dev-1',
      MY_OWN: 'from-my-shell',
    });
    // .kamal/secrets defines GITHUB_TOKEN and DATABASE_URL: neither reaches the hook
    expect(p.log()).not.toContain('ghp_example_not_a_real_token');
  });

  it('remove -d staging runs pre-connect, pre-remove, post-remove in order, with the destination and, for post, the runtime', async () => {
    const p = project(STATE, '.kamal/dev_state.staging.yml');
    writeFile(p.dir, 'config/dev.staging.yml', 'provider:\n  zone: us-nyc1\n');
    for (const name of ['dev-pre-connect', 'dev-pre-remove', 'dev-post-remove', 'dev-pre-deploy']) p.hook(name);
    const result = await p.run(['remove', '--all', '--force', '-d', 'staging'], { GITHUB_TOKEN: 'users-own-token', KAMAL_DEV_RUNTIME: 'inherited' });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(p.dir, '.kamal/dev_state.staging.yml'))).toBe(false);
    const all = runs(p.log());
    expect(all.map((r) => r.name)).toEqual(['dev-pre-connect', 'dev-pre-remove', 'dev-post-remove']);
    for (const r of all) {
      expect(r.env).toMatchObject({ KAMAL_DEV_COMMAND: 'remove', KAMAL_DEV_DESTINATION: 'staging', KAMAL_DEV_WORKSPACES: 'myapp-dev-1', KAMAL_DEV_HOSTS: '198.19.9.9' });
      expect(r.env.GITHUB_TOKEN).toBe('users-own-token'); // the user's own environment is passed as it is
    }
    expect(all[0]!.env.KAMAL_DEV_RUNTIME).toBeUndefined();
    expect(all[1]!.env.KAMAL_DEV_RUNTIME).toBeUndefined();
    expect(all[2]!.env.KAMAL_DEV_RUNTIME).toMatch(/^\d+$/);
  });

  it('a failing dev-pre-deploy stops deploy before anything is created (exit 1, naming the hook)', async () => {
    const p = project();
    p.hook('dev-pre-deploy', '#!/bin/sh\necho "CI is red" >&2\nexit 3\n');
    const result = await p.run(['deploy', '--count', '2', '--yes']);
    expect(result.stderr).toContain('CI is red');
    expect(result.stderr).toContain('ERROR: hook .kamal/hooks/dev-pre-deploy exited with 3; nothing was created\n');
    expect(result.code).toBe(1);
    expect(creates()).toBe(0);
    expect(existsSync(path.join(p.dir, '.kamal/dev_state.yml'))).toBe(false);
  });

  it('a failing dev-pre-connect stops deploy before anything is created', async () => {
    const p = project();
    p.hook('dev-pre-connect', '#!/bin/sh\nexit 1\n');
    const result = await p.run(['deploy', '--yes']);
    expect(result.stderr).toContain('ERROR: hook .kamal/hooks/dev-pre-connect exited with 1; the command did not run\n');
    expect(result.code).toBe(1);
    expect(creates()).toBe(0);
  });

  it('a failing dev-pre-remove removes nothing', async () => {
    const p = project(STATE);
    p.hook('dev-pre-remove', '#!/bin/sh\nexit 5\n');
    const result = await p.run(['remove', '--all', '--force']);
    expect(result.stderr).toContain('ERROR: hook .kamal/hooks/dev-pre-remove exited with 5; nothing was removed\n');
    expect(result.code).toBe(1);
    expect(readFileSync(path.join(p.dir, '.kamal/dev_state.yml'), 'utf8')).toBe(STATE);
  });

  it("a failing post hook is reported, exit 1, after the command's own work", async () => {
    const p = project(STATE);
    p.hook('dev-post-remove', '#!/bin/sh\nexit 4\n');
    const result = await p.run(['remove', '--all', '--force']);
    expect(result.stderr).toContain('Removed 1 workspace(s)');
    expect(result.stderr).toContain('ERROR: hook .kamal/hooks/dev-post-remove exited with 4; the remove itself succeeded\n');
    expect(result.code).toBe(1);
    expect(existsSync(path.join(p.dir, '.kamal/dev_state.yml'))).toBe(false);
  });

  it('a hook that is not executable, or not a file, is reported (exit 2, nothing created), not skipped; --skip-hooks skips', async () => {
    const p = project(STATE);
    p.hook('dev-post-deploy', RECORDER, 0o644);
    const deploy = await p.run(['deploy', '--yes']);
    expect(deploy.stderr).toBe('ERROR: .kamal/hooks/dev-post-deploy: not executable\nRun `chmod +x .kamal/hooks/dev-post-deploy`, or pass --skip-hooks.\n');
    expect(deploy.code).toBe(2);
    expect(creates()).toBe(0);
    p.hook('dev-pre-connect', RECORDER, 0o600);
    const status = await p.run(['status']);
    expect(status.stderr.split('\n')[0]).toBe('ERROR: .kamal/hooks/dev-pre-connect: not executable');
    expect(status.code).toBe(2);
    const skipped = await p.run(['status', '--skip-hooks']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(p.log()).toBe('');
    const q = project(STATE);
    mkdirSync(path.join(q.dir, '.kamal/hooks/dev-pre-connect'), { recursive: true });
    const folder = await q.run(['status']);
    expect(folder.stderr.split('\n')[0]).toBe('ERROR: .kamal/hooks/dev-pre-connect: not a file; a hook is an executable file');
    expect(folder.code).toBe(2);
  });

  it('a hook that cannot be run (its interpreter does not exist) says so, exit 1', async () => {
    const p = project(STATE);
    p.hook('dev-pre-connect', '#!/nonexistent/interpreter\n', 0o755);
    const result = await p.run(['status']);
    expect(result.stderr).toBe('ERROR: hook .kamal/hooks/dev-pre-connect could not run (ENOENT); the command did not run\n');
    expect(result.code).toBe(1);
  });
});
