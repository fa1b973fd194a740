import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { step } from '../helpers/step.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

const NAMES = ['e2e-dev-1', 'e2e-dev-2'];

describeIf(requirements(), 'end to end on the local cloud: mounts of two workspaces on one VM', () => {
  let cloud: LocalCloud;
  let project: Project;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    project = e2eProject(cloud);
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  it("a volume named by a variable is each workspace's own, a literal one is shared, a bind source of this machine is created on the VM", async () => {
    const devYml = path.join(project.dir, 'config', 'dev.yml');
    writeFileSync(devYml, readFileSync(devYml, 'utf8').replace('vms:\n  count: 1\n', 'vms:\n  count: 2\n  spread: false\n'));
    writeFileSync(path.join(project.dir, '.devcontainer', 'devcontainer.json'), JSON.stringify({
      image: cloud.images.v1,
      workspaceFolder: '/workspace',
      mounts: [
        'source=${localWorkspaceFolderBasename}-data,target=/data,type=volume',
        { type: 'volume', source: 'e2e-shared', target: '/shared' },
        { type: 'bind', source: '${localEnv:HOME}/.kamal-dev-test-missing', target: '/missing' },
      ],
    }));
    const missing = `${project.home}/.kamal-dev-test-missing`;
    const warning = `.devcontainer/devcontainer.json: mounts[2]: source ${missing} is a path of this machine; deploy creates it empty on the VM`;
    let ip = '';

    await step('deploy --dry-run warns about the bind source', async () => {
      const r = await project.run(['deploy', '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`WARNING: ${warning}`);
      expect(r.stdout).toContain('--mount source=project-data-e2e-dev-2,target=/data,type=volume');
    });

    await step('deploy: both workspaces on one VM, the missing source created with the warning', async () => {
      const r = await project.run(['deploy', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      const warned = r.stderr.split('\n').filter((line) => line.endsWith(warning));
      expect(warned.length, r.stderr).toBeGreaterThan(0);
      for (const line of warned) expect([`WARNING: e2e-dev-1: ${warning}`, `WARNING: e2e-dev-2: ${warning}`]).toContain(line);
      const listed = JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>;
      ip = listed[NAMES[0]!]!.vm_ip;
      expect(listed[NAMES[1]!]!.vm_ip).toBe(ip);
      const onVm = await project.ssh(ip, `test -d ${missing} && echo folder; docker volume ls --format '{{.Name}}' | sort`);
      expect(onVm.stdout).toBe('folder\ne2e-shared\nproject-data-e2e-dev-1\nproject-data-e2e-dev-2\n');
    });

    await step('each writes in its volumes: its own one is unseen by the other, the shared one seen by both; the bind source is in the container', async () => {
      for (const name of NAMES) {
        const r = await project.run(['exec', name, '--', 'sh', '-c', `echo ${name} > /data/owner && touch /shared/${name}`]);
        expect(r.code, r.stderr).toBe(0);
      }
      for (const name of NAMES) {
        const r = await project.run(['exec', name, '--', 'sh', '-c', 'cat /data/owner; ls /shared; test -d /missing && echo missing-is-there']);
        expect([r.code, r.stdout], r.stderr).toEqual([0, `${name}\ne2e-dev-1\ne2e-dev-2\nmissing-is-there\n`]);
      }
    });

    await step('deploy again: the source exists, no warning, nothing replaced', async () => {
      const r = await project.run(['deploy', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('is a path of this machine');
      expect(r.stdout + r.stderr).not.toMatch(/replaced|created/);
    });

    await step('remove --all', async () => {
      expect((await project.run(['remove', '--all', '--force'])).code).toBe(0);
    });
  }, 600_000);
});
