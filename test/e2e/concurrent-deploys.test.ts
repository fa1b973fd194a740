import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud } from './local-cloud.js';

describeIf(requirements(), 'end to end on the local cloud: deploys started at once', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud(1_000);
  }, 120_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  it('5 concurrent `deploy --count 3 --yes` of one project leave exactly 3 servers and 3 running workspaces', async () => {
    const project = e2eProject(cloud);
    const runs = await Promise.all(Array.from({ length: 5 }, () => project.run(['deploy', '--count', '3', '--yes'])));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    // The ones that waited said for whom, and found the first one's workspaces instead of creating more.
    const waited = runs.filter((run) => /Another deploy or remove of this project is running \(process \d+ on /.test(run.stderr));
    expect(waited.length).toBeGreaterThanOrEqual(1);
    expect(runs.filter((run) => run.stderr.includes('Cost: 3 new VM(s)'))).toHaveLength(1);

    const servers = await cloud.servers();
    expect(servers).toHaveLength(3);
    const deployments = (parse(readFileSync(path.join(project.dir, '.kamal/dev_state.yml'), 'utf8')) as { deployments: Record<string, { status: string; vm_id: string }> }).deployments;
    expect(Object.keys(deployments).sort()).toEqual(['e2e-dev-1', 'e2e-dev-2', 'e2e-dev-3']);
    expect(Object.values(deployments).map((d) => d.status)).toEqual(['running', 'running', 'running']);
    expect(Object.values(deployments).map((d) => d.vm_id).sort()).toEqual(servers.map((s) => s.uuid).sort());

    expect((await project.run(['remove', '--all', '--force'])).code).toBe(0);
    expect((await cloud.stats()).live_servers).toBe(0);
  }, 600_000);
});
