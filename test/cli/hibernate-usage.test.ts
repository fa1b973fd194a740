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
});
