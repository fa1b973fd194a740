import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';

const SHARED = `deployments:
  myapp-dev-1:
    vm_id: "00abc123-def4-5678-90ab-cdef12345678"
    vm_ip: "198.19.9.9"
    container_name: "myapp-dev-1"
    status: running
    deployed_at: "2026-11-30T08:00:00Z"
  myapp-dev-2:
    vm_id: "00abc123-def4-5678-90ab-cdef12345678"
    vm_ip: "198.19.9.9"
    container_name: "myapp-dev-2"
    status: running
    deployed_at: "2026-12-01T08:00:00Z"
`;

/** Bad input of stop --vm, remove --older-than/--stopped and idle_timeout, through the real binary: refused before any change. */
describe('hibernation: bad input and questions', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ bootDelayMs: 50 });
  });
  afterAll(() => emulator.close());

  const project = (state: string) => {
    const p = tempProject('seed-example');
    writeFileSync(path.join(p.dir, '.kamal/dev_state.yml'), state);
    const cloud = { UPCLOUD_API_URL: emulator.apiUrl, UPCLOUD_USERNAME: emulator.username, UPCLOUD_PASSWORD: emulator.password };
    return { ...p, run: (args: string[]) => runCli(args, { cwd: p.dir, env: { HOME: p.home, ...cloud } }) };
  };
  const stateOf = (dir: string) => readFileSync(path.join(dir, '.kamal/dev_state.yml'), 'utf8');
  const apiRequests = () => Object.values(emulator.stats().requests).reduce((a, b) => a + b, 0);

  it('stop --vm NAME on a shared VM says which other workspaces stop too, then needs --yes without a terminal (exit 2); nothing changes', async () => {
    const p = project(SHARED);
    const before = apiRequests();
    const result = await p.run(['stop', '--vm', 'myapp-dev-1']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('the VM of myapp-dev-1 is shared: stop --vm stops every workspace on it, also myapp-dev-2');
    expect(result.stderr).toContain('ERROR: Stop 2 workspace(s) (myapp-dev-1, myapp-dev-2) and power their VM(s) off: cannot ask without a terminal');
    expect(result.stderr).toContain('Pass --yes to answer yes.');
    expect(apiRequests()).toBe(before);
    expect(stateOf(p.dir)).toBe(SHARED);
  });

  it('remove --older-than with a duration not like 30m, 2h, 7d: exit 2 naming the flag; with NAME: exit 2; nothing changes', async () => {
    const p = project(SHARED);
    for (const bad of ['30', '1.5h', '2 h', 'abc', '-1d', '1w']) {
      const result = await p.run(['remove', '--older-than', bad, '--force']);
      expect(result.code, bad).toBe(2);
      expect(result.stderr).toContain(`ERROR: remove: --older-than: expected a whole number and a unit s, m, h or d, such as 30m, 2h or 7d, got ${JSON.stringify(bad)}`);
    }
    const withName = await p.run(['remove', 'myapp-dev-1', '--stopped', '--force']);
    expect(withName.code).toBe(2);
    expect(withName.stderr).toContain('give no NAME or --all with them');
    expect(stateOf(p.dir)).toBe(SHARED);
  });

  it('idle_timeout not like 30m, 2h, 7d (or 0) is a configuration error naming the key (exit 2)', async () => {
    const p = project(SHARED);
    const devYml = path.join(p.dir, 'config/dev.yml');
    const original = readFileSync(devYml, 'utf8');
    for (const bad of ['"30"', '1.5h', '"-5m"', 'true', '15']) {
      writeFileSync(devYml, `${original}\nidle_timeout: ${bad}\n`);
      for (const args of [['config'], ['deploy', '--dry-run']]) {
        const result = await p.run(args);
        expect(result.code, `${bad} ${args.join(' ')}`).toBe(2);
        expect(result.stderr).toMatch(/ERROR: config\/dev\.yml: idle_timeout: expected a whole number and a unit s, m, h or d, such as 30m, 2h or 7d, or 0 \(off\)/);
      }
    }
    writeFileSync(devYml, `${original}\nidle_timeout: 20s\n`);
    expect(JSON.parse((await p.run(['config', '--format', 'json'])).stdout)).toMatchObject({ idle_timeout: 20 });
  });

  it('remove --older-than 1h --force removes the back-dated workspaces only; none matching is exit 0', async () => {
    const now = Date.now();
    const p = project(`deployments:
  old-1:
    vm_id: "00000000-0000-4000-8000-0000000000a1"
    container_name: old-1
    status: stopped
    deployed_at: "${new Date(now - 2 * 3600_000).toISOString()}"
  new-1:
    vm_id: "00000000-0000-4000-8000-0000000000b1"
    container_name: new-1
    status: stopped
    deployed_at: "${new Date(now - 60_000).toISOString()}"
`);
    const result = await p.run(['remove', '--older-than', '1h', '--force']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Removed 1 workspace(s)');
    expect(stateOf(p.dir)).toContain('new-1:');
    expect(stateOf(p.dir)).not.toContain('old-1:');
    const none = await p.run(['remove', '--older-than', '1h', '--force']);
    expect([none.code, none.stderr]).toEqual([0, 'No workspaces match; nothing to remove\n']);
  });
});
