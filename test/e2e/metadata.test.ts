import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

describeIf(requirements(), "workspace containers and the metadata service (which serves the VM's user_data)", () => {
  let cloud: LocalCloud;
  const projects: Project[] = [];

  beforeAll(async () => {
    cloud = await startLocalCloud();
  }, 120_000);

  afterAll(async () => {
    for (const project of projects) await project.run(['remove', '--all', '--force']);
    await cloud?.close();
  }, 120_000);

  /** Deploys one workspace (with `vms.metadata_access` when asked) and fetches the metadata from inside its container. */
  const fromContainer = async (metadataAccess: boolean) => {
    const project = e2eProject(cloud);
    projects.push(project);
    if (metadataAccess) {
      const file = path.join(project.dir, 'config/dev.yml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^vms:\n/m, 'vms:\n  metadata_access: true\n'));
    }
    const deploy = await project.run(['deploy', '--yes']);
    expect(deploy.code, deploy.stderr).toBe(0);
    const ip = (JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>)['e2e-dev-1']!.vm_ip;
    const { hostname, port, pathname } = new URL(cloud.backend.metadataUrl!);
    // busybox's nc: the same client in both tests, so the refusal is the rule's, not the client's
    const request = `printf 'GET ${pathname} HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${hostname} ${port}`;
    const fetched = await project.ssh(ip, `docker exec e2e-dev-1 sh -c ${JSON.stringify(request)}`);
    const fromVm = await project.ssh(ip, `curl -fsS --max-time 5 ${cloud.backend.metadataUrl}`);
    return { fetched, fromVm };
  };

  it('by default a container cannot reach 169.254.169.254 (a DOCKER-USER rule kamal-dev put on the VM); the VM itself still can', async () => {
    const { fetched, fromVm } = await fromContainer(false);
    expect(fetched.code).not.toBe(0);
    expect(fetched.stdout).not.toContain('user_data');
    expect(fromVm.code, fromVm.stderr).toBe(0);
    expect(fromVm.stdout).toContain('"user_data":"#cloud-config');
  }, 240_000);

  it('with vms.metadata_access: true the container reaches it, and with it the user_data', async () => {
    const { fetched } = await fromContainer(true);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain('"user_data":"#cloud-config');
  }, 240_000);
});
