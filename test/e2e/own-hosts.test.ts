import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, startCloud, type LocalCloud, type Project } from './local-cloud.js';

describeIf(requirements(), 'own hosts: USER@HOST:PORT entries and vms.spread: false', () => {
  let cloud: LocalCloud;
  let project: Project;
  let ips: string[];

  beforeAll(async () => {
    cloud = await startCloud('ssh');
    project = e2eProject(cloud);
    ips = (await cloud.servers()).map((s) => s.ip!);
    const devYml = path.join(project.dir, 'config', 'dev.yml');
    const hosts = `  type: ssh\n  hosts:\n    - root@${ips[0]}:22\n    - ${ips[1]}\n`;
    writeFileSync(devYml, `${readFileSync(devYml, 'utf8').replace(/provider:\n(?: {2}.*\n)+/, `provider:\n${hosts}`).replace(/vms:\n(?: {2}.*\n)+/, 'vms:\n  count: 1\n  spread: false\n')}`);
  }, 120_000);
  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  it('puts every workspace on the first host, connecting as its USER@HOST:PORT says; remove leaves the host without them', async () => {
    const deployed = await project.run(['deploy', '--count', '2', '--yes']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain('Cost: none, your own hosts');
    const listed = JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_id: string; vm_ip: string; status: string }>;
    expect(Object.values(listed).map((w) => [w.vm_id, w.vm_ip, w.status])).toEqual([
      [`root@${ips[0]}:22`, ips[0], 'running'],
      [`root@${ips[0]}:22`, ips[0], 'running'],
    ]);
    expect((await project.ssh(ips[1]!, 'command -v docker || echo none')).stdout.trim()).toBe('none');
    const removed = await project.run(['remove', '--all', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await project.ssh(ips[0]!, 'docker ps -aq --filter label=kamal-dev.service=e2e-dev')).stdout.trim()).toBe('');
    expect((await project.ssh(ips[0]!, 'echo alive')).stdout.trim()).toBe('alive');
  }, 600_000);
});
