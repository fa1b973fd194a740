import { describe, expect, it } from 'vitest';
import { REQUEST_LABEL, requestLabels } from '../../../src/providers/labels.js';
import { MemoryProvider } from '../../fakes/memory-provider.js';
import { harness, runDeploy, service, SERVICE, timeline, workspaceOf } from './deps.js';

const LOST = 'memory provider: create server myapp-dev-1: no answer; looking for the server afterwards failed too: no answer';

describe('a create whose reply was lost', () => {
  it('fails that workspace keeping its request id; the next deploy adopts the server by its request label', async () => {
    const plan = service();
    const provider = new MemoryProvider().failNextCreate({ after: true });
    const h = await harness({ provider, script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });

    const first = await runDeploy(h, plan, 2);

    expect(first.results.map((r) => [r.name, r.status, r.vm_id, r.error])).toEqual([
      ['myapp-dev-1', 'failed', null, LOST],
      ['myapp-dev-2', 'running', h.provider.servers()[1]!.id, undefined],
    ]);
    const failed = (await h.readState()).deployments['myapp-dev-1']!;
    expect(failed).toEqual({
      container_name: 'myapp-dev-1',
      status: 'failed',
      error: LOST,
      vm_id: null,
      vm_ip: null,
      deployed_at: null,
      service: SERVICE,
      provider: 'memory',
      zone: 'de-fra1',
      plan: '1xCPU-2GB',
      request_id: expect.any(String),
    });
    // The server was made all the same, carrying the request label the entry kept.
    const servers = h.provider.servers();
    expect(servers).toHaveLength(2);
    const lost = servers.find((vm) => vm.labels[REQUEST_LABEL] === failed.request_id)!;
    expect(lost.name).toBe('myapp-dev-1');
    expect(timeline(h.events)['myapp-dev-1']).toEqual(['vm.create', `done:failed:failed: ${LOST}`]);
    expect(h.connector.has(lost.ip!)).toBe(false);

    // The next deploy: ws-2's host sees a redeploy; ws-1's host is reached for the first time.
    h.connector.host(servers[1]!.ip!).expectDeploy(plan, { name: 'myapp-dev-2', index: 2 }, 'unchanged');
    const again = h.session();
    const second = await runDeploy(again, plan, 2);

    expect(second.results.map((r) => [r.name, r.status, r.vm_id, r.action])).toEqual([
      ['myapp-dev-1', 'running', lost.id, 'created'],
      ['myapp-dev-2', 'running', servers[1]!.id, 'unchanged'],
    ]);
    expect(h.provider.servers()).toHaveLength(2);
    const creates = h.provider.callsOf('createVm') as [{ labels: Record<string, string> }][];
    expect(creates).toHaveLength(2);
    expect(creates.filter(([request]) => request.labels[REQUEST_LABEL] === failed.request_id)).toHaveLength(1);
    // Found by exactly the request label, once.
    expect(h.provider.callsOf('listVms')).toContainEqual([requestLabels(SERVICE, failed.request_id!)]);
    const entry = (await h.readState()).deployments['myapp-dev-1']!;
    expect(entry).toMatchObject({ status: 'running', vm_id: lost.id, vm_ip: lost.ip, request_id: failed.request_id, host_key: h.connector.hostKey(lost.ip!) });
    expect(entry.error).toBeUndefined();
    // Adopted, not created: no vm.create step; the list carries no address, so it waits for the VM once.
    expect(timeline(again.events)['myapp-dev-1']).toEqual([
      'vm.wait', 'ssh.wait', 'docker.check', 'image.pull', 'env.upload', 'container.start', 'lifecycle.create', 'lifecycle.post-start', 'done:ok:running (created)',
    ]);
    h.connector.assertAllDone();
  });
});
