import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { StoreWorker } from '../state/worker.js';

const STATE = `deployments:
  myapp-dev-1:
    vm_id: "00abc123-def4-5678-90ab-cdef12345678"
    vm_ip: "198.19.9.9"
    container_name: "myapp-dev-1"
    status: running
    deployed_at: "2025-11-16T14:30:00Z"
`;

describe('lifecycle commands: questions, credentials, selection and the lock, through the real binary', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ bootDelayMs: 50 });
  });
  afterAll(() => emulator.close());

  const project = (state?: string) => {
    const p = tempProject('seed-example');
    if (state) writeFileSync(path.join(p.dir, '.kamal/dev_state.yml'), state);
    const cloud = { UPCLOUD_API_URL: emulator.apiUrl, UPCLOUD_USERNAME: emulator.username, UPCLOUD_PASSWORD: emulator.password };
    return { ...p, cloud, run: (args: string[], env: NodeJS.ProcessEnv = cloud) => runCli(args, { cwd: p.dir, env: { HOME: p.home, ...env } }) };
  };
  const creates = () => emulator.stats().requests['POST /1.3/server'] ?? 0;
  const stateFile = (dir: string) => path.join(dir, '.kamal/dev_state.yml');

  it('deploy without a terminal and without --yes shows the cost, then fails with exit 2 naming --yes; nothing is created', async () => {
    const p = project();
    const result = await p.run(['deploy', '--count', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Cost: 3 new VM(s) of 1xCPU-2GB in us-nyc1: 0.04464 EUR/hour, 30.00 EUR/month (672 h)');
    expect(result.stderr).toMatch(/ERROR: .*cannot ask without a terminal\nPass --yes to answer yes\./);
    expect(creates()).toBe(0);
    expect(existsSync(stateFile(p.dir))).toBe(false);
  });

  it('deploy --dry-run with credentials shows the cost; without them, null', async () => {
    const p = project();
    const withCreds = JSON.parse((await p.run(['deploy', '--dry-run', '--format', 'json'])).stdout) as { cost: unknown };
    expect(withCreds.cost).toEqual({ currency: 'EUR', hourly: 0.04464, monthly: 30, new_vms: 3 });
    const without = JSON.parse((await p.run(['deploy', '--dry-run', '--format', 'json'], {})).stdout) as { cost: unknown };
    expect(without.cost).toBeNull();
  });

  it('deploy without credentials: exit 2 naming the variables; with wrong ones: exit 4; nothing created', async () => {
    const p = project();
    const none = await p.run(['deploy', '--yes'], { UPCLOUD_API_URL: emulator.apiUrl });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('ERROR: UpCloud credentials missing: set UPCLOUD_TOKEN, or UPCLOUD_USERNAME and UPCLOUD_PASSWORD');
    const wrong = await p.run(['deploy', '--yes'], { ...p.cloud, UPCLOUD_PASSWORD: 'wrong' });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/^ERROR: .*AUTHENTICATION_FAILED|^ERROR: .*[Aa]uthentication failed/m);
    expect(wrong.stderr).not.toContain('wrong');
    expect(creates()).toBe(0);
    expect(existsSync(stateFile(p.dir))).toBe(false);
  });

  it('an unknown plan names config/dev.yml and quotes a long or multi-line value cut short, on one line (exit 2)', async () => {
    const p = project();
    const devYml = path.join(p.dir, 'config/dev.yml');
    writeFileSync(devYml, readFileSync(devYml, 'utf8').replace('plan: 1xCPU-2GB', `plan: "${'9xCPU'.repeat(2000)}\\nsecond line"`));
    for (const args of [['deploy', '--dry-run'], ['deploy', '--yes']]) {
      const result = await p.run(args);
      expect(result.code, result.stderr).toBe(2);
      const error = result.stderr.split('\n').find((line) => line.startsWith('ERROR: '))!;
      expect(error).toMatch(/^ERROR: config\/dev\.yml: provider\.plan: unknown UpCloud plan "(9xCPU)+…"; valid: .*1xCPU-2GB/);
      expect(error.length).toBeLessThan(600);
    }
    expect(creates()).toBe(0);
  });

  it('a devcontainer.json nested thousands of levels deep is a configuration error (exit 2), not a crash', async () => {
    const p = project();
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    writeFileSync(path.join(p.dir, '.devcontainer/devcontainer.json'), `{"image":"ruby:3.2","customizations":${deep}}`);
    const result = await p.run(['deploy', '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERROR: .devcontainer/devcontainer.json: nested more than 64 levels deep');
  });

  it('remove without --force and without a terminal: exit 2 naming --force; the state is untouched', async () => {
    const p = project(STATE);
    const result = await p.run(['remove', '--all']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Pass --force to answer yes.');
    expect(readFileSync(stateFile(p.dir), 'utf8')).toBe(STATE);
  });

  it('remove --all --force without credentials refuses (exit 2) instead of forgetting VMs', async () => {
    const p = project(STATE);
    const result = await p.run(['remove', '--all', '--force'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('UpCloud credentials missing');
    expect(readFileSync(stateFile(p.dir), 'utf8')).toBe(STATE);
  });

  it('stop/start/remove need NAME or --all (exit 2); an unknown NAME is exit 1 listing the known ones', async () => {
    const p = project(STATE);
    for (const command of ['stop', 'start', 'remove']) {
      const neither = await p.run([command]);
      expect(neither.code, command).toBe(2);
      expect(neither.stderr).toContain(`ERROR: ${command}: give a workspace NAME or --all`);
      const unknown = await p.run([command, 'nope', ...(command === 'remove' ? ['--force'] : [])]);
      expect(unknown.code, command).toBe(1);
      expect(unknown.stderr).toContain('ERROR: no workspace named nope; known: myapp-dev-1');
    }
    expect(readFileSync(stateFile(p.dir), 'utf8')).toBe(STATE);
  });

  it('a state lock held by another process: deploy gives up after 10 s with exit 3 naming it, creating nothing', async () => {
    const p = project();
    const holder = await StoreWorker.start();
    try {
      const held = holder.next((reply) => reply.holding === true);
      holder.send({ op: 'hold', file: stateFile(p.dir) });
      await held;
      const result = await p.run(['deploy', '--count', '2', '--yes']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`is held by process ${holder.pid}`);
      expect(result.stderr).toContain("clear it with `rm -r");
      expect(creates()).toBe(0);
    } finally {
      await holder.kill();
    }
  }, 60_000);
});
