import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnWithEvents } from '../helpers/progress-events.js';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud } from './local-cloud.js';

type Deployments = Record<string, { vm_id: string | null; vm_ip: string | null; status: string; error?: string; ports?: Record<string, number> }>;

function deploymentsOf(dir: string): Deployments {
  return (parse(readFileSync(path.join(dir, '.kamal/dev_state.yml'), 'utf8')) as { deployments: Deployments }).deployments;
}

describeIf(requirements(), 'end to end on the local cloud: failures, interruption and a shared VM', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud(2_500);
  }, 120_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  it('a VM whose SSH never comes up fails alone; the others run; remove still leaves nothing', async () => {
    const project = e2eProject(cloud);
    await cloud.nextServers({ count: 1, docker: true, ssh: false });
    const deploy = await project.run(['deploy', '--count', '3', '--yes'], { KAMAL_DEV_SSH_TIMEOUT_MS: '6000' });
    expect(deploy.code).toBe(1);
    const deployments = deploymentsOf(project.dir);
    const statuses = Object.values(deployments).map((d) => d.status).sort();
    expect(statuses).toEqual(['failed', 'running', 'running']);
    const failed = Object.entries(deployments).find(([, d]) => d.status === 'failed')!;
    expect(failed[1].error).toMatch(/SSH did not come up within 6 s/);
    expect(failed[1].vm_id).toBeTruthy(); // kept and listed, so it can be inspected or removed
    expect(deploy.stderr).toContain(`1 of 3 workspace(s) not running: ${failed[0]}`);
    expect((await cloud.stats()).live_servers).toBe(3);

    const removed = await project.run(['remove', '--all', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await cloud.stats()).live_servers).toBe(0);
  }, 300_000);

  it('SIGINT in the middle of a deploy of 3: every created VM is in the state, exit 130, remove leaves nothing', async () => {
    const project = e2eProject(cloud);
    const run = spawnWithEvents(['deploy', '--count', '3', '--yes'], { cwd: project.dir, env: project.env });
    await run.waitFor((e) => e.type === 'step' && e.step === 'vm.wait', 3, 120_000);
    run.child.kill('SIGINT');
    expect(await run.exit, run.stderr()).toBe(130);
    const servers = await cloud.servers();
    expect(servers).toHaveLength(3);
    const recorded = Object.values(deploymentsOf(project.dir)).map((d) => d.vm_id).sort();
    expect(recorded).toEqual(servers.map((s) => s.uuid).sort());

    const removed = await project.run(['remove', '--all', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await cloud.stats()).live_servers).toBe(0);
  }, 300_000);

  it('vms.spread false puts every workspace on one VM with docker-chosen host ports recorded', async () => {
    const project = e2eProject(cloud);
    const devYml = path.join(project.dir, 'config/dev.yml');
    writeFileSync(devYml, readFileSync(devYml, 'utf8').replace('vms:\n  count: 1\n', 'vms:\n  count: 1\n  spread: false\n'));
    const deploy = await project.run(['deploy', '--count', '2', '--yes']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect((await cloud.stats()).live_servers).toBe(1);
    const deployments = Object.values(deploymentsOf(project.dir));
    expect(new Set(deployments.map((d) => d.vm_id)).size).toBe(1);
    const ports = deployments.map((d) => d.ports?.['8080']);
    expect(ports.every((p) => typeof p === 'number' && p !== 8080)).toBe(true);
    expect(new Set(ports).size).toBe(2);
    const ps = await project.ssh(deployments[0]!.vm_ip!, "docker ps --format '{{.Names}}'");
    expect(ps.stdout.split('\n').filter(Boolean).sort()).toEqual(['e2e-dev-1', 'e2e-dev-2']);

    const removeOne = await project.run(['remove', 'e2e-dev-2', '--force']);
    expect(removeOne.code, removeOne.stderr).toBe(0);
    expect((await cloud.stats()).live_servers).toBe(1); // the VM stays for e2e-dev-1
    const left = await project.ssh(deployments[0]!.vm_ip!, "docker ps -a --format '{{.Names}}'; ls /root/.kamal-dev/env");
    expect(left.stdout.split('\n').filter(Boolean)).toEqual(['e2e-dev-1', 'e2e-dev-1.env', 'e2e-dev-1.remote.env']);
    expect((await project.run(['remove', '--all', '--force'])).code).toBe(0);
    expect((await cloud.stats()).live_servers).toBe(0);
  }, 300_000);
});
