import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { seedProject, type Project } from './project.js';

let project: Project;
beforeEach(() => {
  project = seedProject();
});
afterEach(() => project.cleanup());

const dryRun = (...args: string[]) => runCli(['deploy', '--dry-run', ...args], { cwd: project.dir, env: project.env });
const devcontainer = (json: unknown) => project.write('.devcontainer/devcontainer.json', JSON.stringify(json));
const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('WARNING: '));

describe('deploy --dry-run: mounts on the VMs', () => {
  it('a bind source that is a path of this machine: one warning naming the mount, nothing written', async () => {
    devcontainer({
      image: 'ruby:3.2',
      mounts: ['source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind', { type: 'bind', source: '${localEnv:HOME}/.ssh', target: '/root/.ssh' }],
    });
    const before = project.snapshot();
    const result = await dryRun();
    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result.stderr)).toEqual([
      `WARNING: .devcontainer/devcontainer.json: mounts[1]: source ${project.home}/.ssh is a path of this machine; deploy creates it empty on the VM`,
    ]);
    expect(result.stdout).toContain(`--mount type=bind,src=${project.home}/.ssh,dst=/root/.ssh`);
    expect(project.snapshot()).toEqual(before);
  });

  it('vms.spread: false: each workspace has its own volume for a name made by a variable, the literal one is shared', async () => {
    project.write('config/dev.yml', `service: myapp-dev
image: .devcontainer/devcontainer.json
provider:
  type: upcloud
  zone: us-nyc1
  plan: 1xCPU-2GB
ssh:
  key_path: ~/.ssh/id_rsa.pub
vms:
  count: 2
  spread: false
`);
    devcontainer({ image: 'ruby:3.2', mounts: ['source=${localWorkspaceFolderBasename}-db,target=/db,type=volume', 'source=gems,target=/gems,type=volume'] });
    const result = await dryRun('--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { workspaces: { name: string; docker_run: string[] }[] };
    const mounts = plan.workspaces.map((w) => w.docker_run.filter((_, i) => w.docker_run[i - 1] === '--mount').slice(1));
    expect(mounts).toEqual([
      ['source=project-db-myapp-dev-1,target=/db,type=volume', 'source=gems,target=/gems,type=volume'],
      ['source=project-db-myapp-dev-2,target=/db,type=volume', 'source=gems,target=/gems,type=volume'],
    ]);
    expect(warnings(result.stderr)).toEqual([]);
  });
});
