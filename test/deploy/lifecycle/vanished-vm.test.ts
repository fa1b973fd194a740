import { describe, expect, it } from 'vitest';
import { REQUEST_LABEL } from '../../../src/providers/labels.js';
import { harness, runDeploy, service, timeline, workspaceOf } from './deps.js';

describe('a VM gone at the provider', () => {
  it('the next deploy warns, naming the VM, and creates a new server for that workspace', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 2);
    const [gone, kept] = h.provider.servers();
    const before = await h.readState();
    expect(h.provider.vanish(gone!.id)).toBe(true);
    h.connector.host(kept!.ip!).expectDeploy(plan, { name: 'myapp-dev-2', index: 2 }, 'unchanged');

    const again = h.session();
    const { results } = await runDeploy(again, plan, 2);

    expect(again.notices.warn).toEqual([`myapp-dev-1: VM ${gone!.id} is gone at the provider; creating a new one`]);
    const servers = h.provider.servers();
    expect(servers).toHaveLength(2);
    const fresh = servers.find((vm) => vm.id !== kept!.id)!;
    expect(fresh.id).not.toBe(gone!.id);
    expect(fresh.name).toBe('myapp-dev-1');
    expect(h.provider.callsOf('createVm')).toHaveLength(3);
    expect(results[0]!.error).toBeUndefined();
    expect(results.map((r) => [r.name, r.status, r.vm_id, r.action])).toEqual([
      ['myapp-dev-1', 'running', fresh.id, 'created'],
      ['myapp-dev-2', 'running', kept!.id, 'unchanged'],
    ]);
    const entry = (await h.readState()).deployments['myapp-dev-1']!;
    // The new VM's own host key is pinned: the old VM's key says nothing about it.
    expect(entry).toMatchObject({ status: 'running', vm_id: fresh.id, vm_ip: fresh.ip, host_key: h.connector.hostKey(fresh.ip!) });
    expect(entry.host_key).not.toBe(before.deployments['myapp-dev-1']!.host_key);
    expect(fresh.labels[REQUEST_LABEL]).toBe(entry.request_id);
    expect(h.connector.calls.filter((c) => c.ip === fresh.ip)).toEqual([{ ip: fresh.ip, pinned: undefined, outcome: 'connected' }]);
    expect(timeline(again.events)['myapp-dev-1']!.slice(0, 3)).toEqual(['vm.create', 'vm.wait', 'ssh.wait']);
    expect(await h.readState().then((s) => s.deployments['myapp-dev-2'])).toEqual(before.deployments['myapp-dev-2']);
    h.connector.assertAllDone();
  });
});
