import { describe, expect, it, vi } from 'vitest';
import { ManualClock, MemoryProvider } from '../../fakes/memory-provider.js';
import { harness, runDeploy, service, steps, timeline, workspaceOf } from './deps.js';

describe('Ctrl-C during a deploy', () => {
  it('keeps every VM that was created in the state and forgets the names that never got a create', async () => {
    const plan = service();
    // Boots hang until the clock is advanced (never, here); two workspaces at a time, so the third never starts.
    const clock = new ManualClock();
    const provider = new MemoryProvider({ clock, bootDelayMs: 30_000 });
    const h = await harness({ provider, settings: { concurrency: 2 }, script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });

    const running = runDeploy(h, plan, 3);
    await vi.waitFor(() => {
      expect(steps(h.events, 'myapp-dev-1')).toContain('vm.wait');
      expect(steps(h.events, 'myapp-dev-2')).toContain('vm.wait');
    });
    // Under way: three names reserved, two VMs created (booting), the third name not started.
    expect(Object.keys((await h.readState()).deployments)).toEqual(['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3']);
    h.abort.abort();
    const { results } = await running;

    const servers = h.provider.servers();
    expect(servers.map((vm) => [vm.name, vm.state])).toEqual([
      ['myapp-dev-1', 'maintenance'],
      ['myapp-dev-2', 'maintenance'],
    ]);
    expect(results).toEqual([
      { name: 'myapp-dev-1', status: 'provisioned', vm_id: servers[0]!.id, vm_ip: servers[0]!.ip },
      { name: 'myapp-dev-2', status: 'provisioned', vm_id: servers[1]!.id, vm_ip: servers[1]!.ip },
      { name: 'myapp-dev-3', status: 'provisioning', vm_id: null, vm_ip: null },
    ]);
    const state = await h.readState();
    expect(Object.keys(state.deployments)).toEqual(['myapp-dev-1', 'myapp-dev-2']);
    for (const [i, name] of ['myapp-dev-1', 'myapp-dev-2'].entries()) {
      expect(state.deployments[name]).toMatchObject({ status: 'provisioned', vm_id: servers[i]!.id, vm_ip: servers[i]!.ip, deployed_at: null });
      expect(state.deployments[name]!.error).toBeUndefined();
    }
    expect(h.provider.callsOf('createVm')).toHaveLength(2);
    expect(h.connector.calls).toEqual([]);
    expect(timeline(h.events)).toEqual({
      'myapp-dev-1': ['vm.create', 'vm.wait', 'done:interrupted:interrupted'],
      'myapp-dev-2': ['vm.create', 'vm.wait', 'done:interrupted:interrupted'],
    });
    // The two boots are still pending on the provider's clock.
    expect(clock.pending()).toBe(2);

    // Once they have booted, the next deploy takes them up and creates only the third.
    clock.advance(30_000);
    const again = h.session();
    const resumed = runDeploy(again, plan, 3);
    await vi.waitFor(() => expect(steps(again.events, 'myapp-dev-3')).toContain('vm.wait'));
    clock.advance(30_000);
    const next = await resumed;
    expect(next.plan.newVms).toBe(1);
    expect(next.results.map((r) => [r.name, r.status, r.action])).toEqual([
      ['myapp-dev-1', 'running', 'created'],
      ['myapp-dev-2', 'running', 'created'],
      ['myapp-dev-3', 'running', 'created'],
    ]);
    expect(h.provider.callsOf('createVm')).toHaveLength(3);
    expect(h.provider.servers().map((vm) => vm.id).slice(0, 2)).toEqual(servers.map((vm) => vm.id));
    expect(Object.values((await h.readState()).deployments).map((e) => e.status)).toEqual(['running', 'running', 'running']);
    h.connector.assertAllDone();
  });
});
