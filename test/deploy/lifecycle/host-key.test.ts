import { describe, expect, it } from 'vitest';
import { harness, runDeploy, service, timeline, workspaceOf } from './deps.js';

describe('host key pinning', () => {
  it('pins the key on the first deploy and refuses a changed one, running nothing on that host', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 1);
    const [vm] = h.provider.servers();
    const ip = vm!.ip!;
    const pinned = h.connector.hostKey(ip);
    const before = await h.readState();
    expect(before.deployments['myapp-dev-1']!.host_key).toBe(pinned);
    expect(h.connector.calls).toEqual([{ ip, pinned: undefined, outcome: 'connected' }]);

    const presented = h.connector.changeHostKey(ip);
    expect(presented).not.toBe(pinned);
    const host = h.connector.host(ip);
    const ran = host.executor.runs.length;
    const again = h.session();
    const { results } = await runDeploy(again, plan, 1);

    const message = `${ip}:22: host key changed: pinned ${pinned}, server presented ${presented}; refusing to connect`;
    expect(results).toEqual([{ name: 'myapp-dev-1', status: 'failed', vm_id: vm!.id, vm_ip: ip, error: message }]);
    const entry = (await h.readState()).deployments['myapp-dev-1']!;
    expect(entry).toEqual({ ...before.deployments['myapp-dev-1'], status: 'failed', error: message });
    expect(entry.host_key).toBe(pinned);
    expect(h.connector.calls.at(-1)).toEqual({ ip, pinned, outcome: 'refused' });
    expect(h.connector.refused(ip)).toBe(1);
    expect(host.executor.runs).toHaveLength(ran);
    expect(timeline(again.events)['myapp-dev-1']).toEqual(['ssh.wait', `done:failed:failed: ${message}`]);
    h.connector.assertAllDone();
  });
});
