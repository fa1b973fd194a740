import { describe, expect, it } from 'vitest';
import { collectStatus, statusOf } from '../../../src/deploy/status.js';
import { serviceLabels } from '../../../src/providers/labels.js';
import { ManualClock, MemoryProvider } from '../../fakes/memory-provider.js';
import type { WorkspaceStatus } from '../../../src/state/schema.js';
import { harness, runDeploy, service, SCOPE, SERVICE, T0, timeline, workspaceOf } from './deps.js';

/** VM states as collectStatus passes them: the provider's, `missing` (recorded, not listed) and `none` (never created). */
const VM_STATES = ['started', 'stopped', 'maintenance', 'error', 'missing', 'none'] as const;
/** Container states: docker's, `missing` (no such container) and `unknown` (not looked at). */
const CONTAINERS = ['running', 'exited', 'created', 'paused', 'restarting', 'removing', 'dead', 'missing', 'unknown'] as const;

const r = 'running';
const s = 'stopped';
const f = 'failed';
const m = 'missing';
/** The status recorded before the look: what a VM in maintenance leaves standing. */
const RECORDED: WorkspaceStatus = 'provisioned';
const p = RECORDED;
/**
 * Rows: VM states; columns: CONTAINERS, in order. A VM that is missing or stopped decides alone, one in
 * maintenance leaves the recorded status; otherwise the container does. (collectStatus looks into started VMs
 * only, so a VM in error comes with `unknown`, which is `failed`.)
 */
const TABLE: Record<(typeof VM_STATES)[number], WorkspaceStatus[]> = {
  //           running exited created paused restarting removing dead missing unknown
  started:     [r,      s,     s,      s,     f,         f,       f,   f,      f],
  stopped:     [s,      s,     s,      s,     s,         s,       s,   s,      s],
  maintenance: [p,      p,     p,      p,     p,         p,       p,   p,      p],
  error:       [r,      s,     s,      s,     f,         f,       f,   f,      f],
  missing:     [m,      m,     m,      m,     m,         m,       m,   m,      m],
  none:        [r,      s,     s,      s,     f,         f,       f,   f,      f],
};

describe('statusOf', () => {
  for (const vm of VM_STATES) {
    it(`VM ${vm}: ${CONTAINERS.map((container, i) => `${container} -> ${TABLE[vm][i]}`).join(', ')}`, () => {
      expect(Object.fromEntries(CONTAINERS.map((container) => [container, statusOf(vm, container, RECORDED)]))).toEqual(
        Object.fromEntries(CONTAINERS.map((container, i) => [container, TABLE[vm][i]])),
      );
    });
  }
});

describe('collectStatus', () => {
  it('reports running, an exited container, a stopped VM and a missing one, and updates the state', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 4);
    const [vm1, vm2, vm3, vm4] = h.provider.servers();
    const before = await h.readState();
    h.connector.host(vm2!.ip!).exitContainer('myapp-dev-2', 137);
    h.provider.stopOutside(vm3!.id);
    h.provider.vanish(vm4!.id);
    h.connector.host(vm1!.ip!).expectInspect('myapp-dev-1');
    h.connector.host(vm2!.ip!).expectInspect('myapp-dev-2');
    h.clock.now = new Date(T0.getTime() + 90 * 60_000);
    const lists = h.provider.callsOf('listVms').length;
    const gets = h.provider.callsOf('getVm').length;

    const session = h.session();
    const reports = await collectStatus(SCOPE, ['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3', 'myapp-dev-4'], session.deps);

    const blank = { image: null, started_at: null, uptime_seconds: null, ports: {} };
    // 1.5 h since the deploy at the fake's 1.488 c/h, a stopped VM billed as a started one.
    const cost = { currency: 'EUR', hourly: 0.01488, since_deploy: 0.02232 };
    expect(reports).toEqual([
      {
        name: 'myapp-dev-1', vm_id: vm1!.id, vm_ip: vm1!.ip, vm_state: 'started', container: 'running', image: 'ubuntu:24.04',
        started_at: T0.toISOString(), uptime_seconds: 5400, ports: { '3000/tcp': 3000 }, status: 'running', cost, vm_stopped_by: null,
      },
      { name: 'myapp-dev-2', vm_id: vm2!.id, vm_ip: vm2!.ip, vm_state: 'started', container: 'exited', ...blank, image: 'ubuntu:24.04', status: 'stopped', cost, vm_stopped_by: null },
      { name: 'myapp-dev-3', vm_id: vm3!.id, vm_ip: vm3!.ip, vm_state: 'stopped', container: 'unknown', ...blank, status: 'stopped', cost, vm_stopped_by: 'provider' },
      { name: 'myapp-dev-4', vm_id: vm4!.id, vm_ip: vm4!.ip, vm_state: 'missing', container: 'unknown', ...blank, status: 'missing', cost: { ...cost, hourly: 0 }, vm_stopped_by: null },
    ]);
    const after = await h.readState();
    expect(after.deployments).toEqual({
      'myapp-dev-1': before.deployments['myapp-dev-1'],
      'myapp-dev-2': { ...before.deployments['myapp-dev-2'], status: 'stopped' },
      // Stopped from outside: recorded as seen now (1.5 h after T0), by the provider.
      'myapp-dev-3': { ...before.deployments['myapp-dev-3'], status: 'stopped', vm_stopped_at: new Date(T0.getTime() + 5_400_000).toISOString(), vm_stopped_by: 'provider' },
      'myapp-dev-4': { ...before.deployments['myapp-dev-4'], status: 'missing' },
    });
    // One list call for the whole service, no per-VM reads; SSH only to the started VMs.
    expect(h.provider.callsOf('listVms').slice(lists)).toEqual([[serviceLabels(SERVICE)]]);
    expect(h.provider.callsOf('getVm')).toHaveLength(gets);
    expect(h.connector.calls.slice(4).map((c) => [c.ip, c.pinned, c.outcome])).toEqual([
      [vm1!.ip, before.deployments['myapp-dev-1']!.host_key, 'connected'],
      [vm2!.ip, before.deployments['myapp-dev-2']!.host_key, 'connected'],
    ]);
    expect(timeline(session.events)).toEqual({
      'myapp-dev-1': ['vm.inspect', 'container.inspect', 'done:ok:running'],
      'myapp-dev-2': ['vm.inspect', 'container.inspect', 'done:ok:stopped'],
      'myapp-dev-3': ['vm.inspect', 'done:ok:stopped'],
      'myapp-dev-4': ['vm.inspect', 'done:ok:missing'],
    });
    h.connector.assertAllDone();
  });

  it('leaves the recorded status of a workspace whose VM is in maintenance, without connecting to it', async () => {
    const clock = new ManualClock();
    const plan = service();
    const h = await harness({ provider: new MemoryProvider({ clock, stopDelayMs: 30_000 }), script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 1);
    const [vm] = h.provider.servers();
    h.provider.stopOutside(vm!.id);
    const before = await h.readState();
    const connects = h.connector.calls.length;

    const [report] = await collectStatus(SCOPE, ['myapp-dev-1'], h.session().deps);

    expect([report!.vm_state, report!.container, report!.status]).toEqual(['maintenance', 'unknown', 'running']);
    expect((await h.readState()).deployments).toEqual(before.deployments);
    expect(h.connector.calls).toHaveLength(connects);
  });
});
