import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { ssh } from '../localcloud-netns/helpers.js';
import { spawnWithEvents } from '../helpers/progress-events.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';
import { step } from '../helpers/step.js';

interface StatusJson {
  vm_state: string;
  status: string;
  vm_stopped_by: string | null;
  cost: { currency: string; hourly: number; since_deploy: number | null } | null;
}

/** The start time of PID 1 (field 22 of /proc/1/stat): the same before and after means this machine's init never restarted. */
const initStart = () => readFileSync('/proc/1/stat', 'utf8').split(') ')[1]!.split(' ')[19];

describeIf(requirements(), 'end to end on the local cloud: stop --vm, start, the idle watcher, remove --older-than, cost in status', () => {
  let cloud: LocalCloud;
  let project: Project;
  const idleEnv = { KAMAL_DEV_IDLE_POWEROFF: 'localcloud-poweroff', KAMAL_DEV_IDLE_RUNNER: 'loop', KAMAL_DEV_IDLE_LOAD_MAX: '1000' };
  const list = async () => JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string; vm_id: string; deployed_at: string }>;
  const status = async () => {
    const result = await project.run(['status', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Record<string, StatusJson>;
  };
  const serverState = async (uuid: string) => (await cloud.servers()).find((s) => s.uuid === uuid)?.state;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    project = e2eProject(cloud);
  }, 120_000);

  afterAll(async () => {
    await project?.run(['remove', '--all', '--force']);
    await cloud?.close();
  }, 180_000);

  it('one journey in named steps', async () => {
    const deployed = await step('deploy --count 2, a file in the first workspace, status prices each workspace at the price list', async () => {
      const result = await project.run(['deploy', '--count', '2', '--yes']);
      expect(result.code, result.stderr).toBe(0);
      const entries = await list();
      const first = entries['e2e-dev-1']!;
      expect((await project.ssh(first.vm_ip, "docker exec e2e-dev-1 sh -c 'echo kept > /workspace/notes.txt'")).code).toBe(0);
      const before = Date.now();
      const report = await status();
      const after = Date.now();
      for (const [name, r] of Object.entries(report)) {
        // us-nyc1 server_plan_1xCPU-2GB: 1.488 cents per hour in the emulator's (recorded) price list
        expect(r.cost?.currency).toBe('EUR');
        expect(r.cost?.hourly).toBe(0.01488);
        const deployedAt = Date.parse(entries[name]!.deployed_at);
        const low = Math.floor((before - deployedAt) / 1000) - 1;
        const high = Math.ceil((after - deployedAt) / 1000) + 1;
        expect(r.cost!.since_deploy!).toBeGreaterThanOrEqual(Math.floor((low * 1_488_000) / 3600 / 1000) / 100_000);
        expect(r.cost!.since_deploy!).toBeLessThanOrEqual(Math.ceil((high * 1_488_000) / 3600 / 1000) / 100_000);
      }
      return entries;
    });

    await step('stop --vm --all: the containers, then the VMs; each workspace waits for its VM to stop; the emulator shows them stopped', async () => {
      const run = spawnWithEvents(['stop', '--vm', '--all'], { cwd: project.dir, env: project.env });
      await run.waitFor((e) => e.type === 'done', 2, 120_000);
      expect(await run.exit, run.stderr()).toBe(0);
      for (const name of ['e2e-dev-1', 'e2e-dev-2']) {
        expect(run.events.filter((e) => e.workspace === name && e.type === 'done').map((e) => e.type === 'done' && e.outcome)).toEqual(['ok']);
      }
      expect(run.events.some((e) => e.type === 'step' && e.step === 'vm.stop-wait')).toBe(true);
      expect(run.stderr()).toContain('UpCloud bills a stopped plan server like a running one');
      for (const entry of Object.values(deployed)) expect(await serverState(entry.vm_id)).toBe('stopped');
      const report = await status();
      expect(Object.values(report).map((r) => [r.vm_state, r.status, r.vm_stopped_by])).toEqual([
        ['stopped', 'stopped', 'kamal-dev'],
        ['stopped', 'stopped', 'kamal-dev'],
      ]);
      expect(project.state()).toContain('vm_stopped_at:');
    });

    await step('exec on a stopped workspace says how to start it; exec --start powers its VM on, starts it and runs the command', async () => {
      const refused = await project.run(['exec', 'e2e-dev-1', '--', 'cat', '/workspace/notes.txt']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('workspace e2e-dev-1 is stopped, not running');
      expect(refused.stderr).toContain('kamal-dev start e2e-dev-1, or exec --start e2e-dev-1');
      const started = await project.run(['exec', '--start', 'e2e-dev-1', '--', 'cat', '/workspace/notes.txt']);
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toBe('kept\n');
      expect(await serverState(deployed['e2e-dev-1']!.vm_id)).toBe('started');
      expect(await serverState(deployed['e2e-dev-2']!.vm_id)).toBe('stopped');
    });

    await step('start --all powers the VMs on and brings the workspaces back with their files', async () => {
      const result = await project.run(['start', '--all']);
      expect(result.code, result.stderr).toBe(0);
      for (const entry of Object.values(deployed)) expect(await serverState(entry.vm_id)).toBe('started');
      const entries = await list();
      const notes = await project.ssh(entries['e2e-dev-1']!.vm_ip, 'docker exec e2e-dev-1 cat /workspace/notes.txt');
      expect(notes.stdout).toBe('kept\n');
      expect(Object.values(await status()).map((r) => r.status)).toEqual(['running', 'running']);
      expect(project.state()).toContain('vm_stopped_seconds:');
    });

    await step("the VMs' power-off command reaches the emulator, never this machine's init", async () => {
      const entries = await list();
      const [one, two] = [entries['e2e-dev-1']!, entries['e2e-dev-2']!];
      const found = await project.ssh(one.vm_ip, 'command -v localcloud-poweroff; for c in systemctl poweroff reboot shutdown halt init telinit; do command -v $c; done; true');
      const paths = found.stdout.trim().split('\n');
      expect(paths).toHaveLength(1);
      expect(paths[0]).toMatch(/^\/run\/kamal-dev-localcloud\/i\d{3}\/sysbin\/localcloud-poweroff$/);
      expect(readFileSync(paths[0]!, 'utf8')).toMatch(/^#!\/bin\/sh\n#.*\nexec curl -fsS -X POST http:\/\/198\.18\.\d+\.1:8080\/poweroff\n$/);
      const init = initStart();
      const off = await project.ssh(two.vm_ip, 'localcloud-poweroff');
      expect(off.code, off.stderr).toBe(0);
      for (let i = 0; i < 100 && (await serverState(two.vm_id)) !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await serverState(two.vm_id)).toBe('stopped');
      expect(await serverState(one.vm_id)).toBe('started');
      expect(initStart()).toBe(init);
      // from this machine (not a VM) the endpoint refuses
      const refused = await fetch(`http://${one.vm_ip.replace(/\.\d+$/, '.1')}:8080/poweroff`, { method: 'POST' });
      expect(refused.status).toBe(403);
      expect((await project.run(['start', 'e2e-dev-2'])).code).toBe(0);
    });

    await step('idle_timeout 20s: the untouched VM is stopped within 20-60 s; one with an open ssh session and one with a docker exec session stay up', async () => {
      const devYml = path.join(project.dir, 'config/dev.yml');
      writeFileSync(devYml, `${readFileSync(devYml, 'utf8')}\nidle_timeout: 20s\n`);
      const result = await project.run(['deploy', '--count', '3', '--yes'], idleEnv);
      expect(result.code, result.stderr).toBe(0);
      const entries = await list();
      const [one, two, three] = [entries['e2e-dev-1']!, entries['e2e-dev-2']!, entries['e2e-dev-3']!];
      const session = ssh(project.client, two.vm_ip, 'sleep 75', 90_000);
      // a docker exec left running inside the VM, with no SSH connection kept open for it
      const exec = await project.ssh(three.vm_ip, "setsid sh -c 'docker exec e2e-dev-3 sleep 75' </dev/null >/dev/null 2>&1 &");
      expect(exec.code, exec.stderr).toBe(0);
      const start = Date.now();
      let stoppedAfter: number | undefined;
      while (Date.now() - start < 62_000) {
        if (stoppedAfter === undefined && (await serverState(one.vm_id)) === 'stopped') stoppedAfter = (Date.now() - start) / 1000;
        expect(await serverState(two.vm_id)).toBe('started');
        expect(await serverState(three.vm_id)).toBe('started');
        await new Promise((r) => setTimeout(r, 1000));
      }
      console.info(`idle watcher: the untouched VM was stopped ${stoppedAfter} s after the deploy; the ones with an ssh or a docker exec session stayed up for 62 s`);
      expect(stoppedAfter).toBeDefined();
      // idle counts from the first check after the deploy's SSH connection closed, just before the deploy ended
      expect(stoppedAfter!).toBeGreaterThanOrEqual(19.5);
      expect(stoppedAfter!).toBeLessThanOrEqual(60);
      const table = await project.run(['status'], idleEnv);
      expect(table.stdout).toMatch(/e2e-dev-1 .* stopped \(idle\)/);
      await session;
    });

    await step('remove --older-than 1h removes the back-dated workspace only', async () => {
      const file = path.join(project.dir, '.kamal/dev_state.yml');
      const state = readFileSync(file, 'utf8');
      const old = new Date(Date.now() - 2 * 3600_000).toISOString();
      writeFileSync(file, state.replace(/(e2e-dev-1:[\s\S]*?deployed_at: )"?[^"\n]+"?/, `$1"${old}"`));
      const result = await project.run(['remove', '--older-than', '1h', '--force']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('Removed 1 workspace(s)');
      expect(Object.keys(await list())).toEqual(['e2e-dev-2', 'e2e-dev-3']);
      expect((await cloud.stats()).live_servers).toBe(2);
    });
  }, 600_000);
});
