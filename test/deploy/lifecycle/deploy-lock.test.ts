import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { harness, runDeploy, service, workspaceOf } from './deps.js';

const COST = 'Cost: 3 new VM(s) of 1xCPU-2GB in de-fra1: 0.04464 EUR/hour, 30.00 EUR/month (672 h)';

describe('the deploy lock', () => {
  it('two deploys started at once on one state file create 3 VMs between them, the second waiting for the first', async () => {
    const plan = service();
    // Each host sees one deploy that creates its container, then one that finds it unchanged.
    const h = await harness({
      script: (host, vm) => {
        host.expectDeploy(plan, workspaceOf(vm), 'create');
        host.expectDeploy(plan, workspaceOf(vm), 'unchanged');
      },
    });
    const a = h.session();
    const b = h.session();

    const [outA, outB] = await Promise.all([runDeploy(a, plan, 3), runDeploy(b, plan, 3)]);

    expect(h.provider.servers()).toHaveLength(3);
    expect(h.provider.callsOf('createVm')).toHaveLength(3);
    const state = await h.readState();
    expect(Object.keys(state.deployments)).toEqual(['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3']);
    expect(Object.values(state.deployments).map((e) => e.status)).toEqual(['running', 'running', 'running']);

    const waiting = /^Another deploy or remove of this project is running \(process (\d+) on (.+) \(since .+\)\); waiting for it to finish$/;
    const waited = [a, b].filter((s) => s.notices.info.some((text) => waiting.test(text)));
    expect(waited).toHaveLength(1);
    const [second] = waited;
    const first = second === a ? b : a;
    const [, pid, host] = waiting.exec(second!.notices.info[0]!)!;
    expect([Number(pid), host]).toEqual([process.pid, hostname()]);
    // The one that went first priced and created the VMs; the one that waited found them in the state.
    expect(first.notices.info).toEqual([COST]);
    expect(second!.notices.info).toHaveLength(1);
    const [firstOut, secondOut] = first === a ? [outA, outB] : [outB, outA];
    expect(firstOut.plan.newVms).toBe(3);
    expect(firstOut.results.map((r) => [r.name, r.action])).toEqual([['myapp-dev-1', 'created'], ['myapp-dev-2', 'created'], ['myapp-dev-3', 'created']]);
    expect(secondOut.plan.newVms).toBe(0);
    expect(secondOut.results.map((r) => [r.name, r.action])).toEqual([['myapp-dev-1', 'unchanged'], ['myapp-dev-2', 'unchanged'], ['myapp-dev-3', 'unchanged']]);
    h.connector.assertAllDone();
    // Both locks released.
    expect((await readdir(path.dirname(h.stateFile))).sort()).toEqual(['dev_state.yml']);
  });

  it('is taken in a project never deployed: the .kamal folder is made for it', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    expect(existsSync(path.dirname(h.stateFile))).toBe(false);

    const { results } = await runDeploy(h, plan, 1);

    expect(results.map((r) => r.status)).toEqual(['running']);
    expect((await readdir(path.dirname(h.stateFile))).sort()).toEqual(['dev_state.yml']);
    h.connector.assertAllDone();
  });
});
