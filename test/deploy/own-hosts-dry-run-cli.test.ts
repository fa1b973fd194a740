import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { seedProject, type Project } from './project.js';

describe('deploy --dry-run with provider: ssh', () => {
  let project: Project;
  beforeAll(() => {
    project = seedProject();
    project.write('.kamal/secrets', 'GITHUB_TOKEN=ghp_x\nDATABASE_URL=y\n');
    const yml = readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8');
    project.write('config/dev.yml', yml.replace(/provider:\n(?: {2}.*\n)+/, 'provider:\n  type: ssh\n  hosts: [10.0.0.5, deploy@box.example, ops@10.0.0.7:2222]\n'));
  });
  afterAll(() => project.cleanup());

  it('plans the workspaces on your own hosts, with no cost and no credentials, and creates nothing', async () => {
    const result = await runCli(['deploy', '--dry-run'], { cwd: project.dir, env: project.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Plan for myapp-dev: 3 workspace(s), on your own hosts');
    expect(result.stdout).toContain('myapp-dev-1  (a host of provider.hosts)');
    expect(result.stdout).not.toContain('new VM');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('Cost: none, your own hosts');
  });
});
