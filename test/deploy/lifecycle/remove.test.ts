import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { removeWorkspaces } from '../../../src/deploy/remove.js';
import { requestLabels } from '../../../src/providers/labels.js';
import { MemoryProvider } from '../../fakes/memory-provider.js';
import { harness, runDeploy, service, SCOPE, SERVICE, timeline, workspaceOf } from './deps.js';

describe('remove', () => {
  it('on a shared VM: removing one workspace keeps the VM, removing the last destroys it', async () => {
    const plan = service({ spread: false });
    const h = await harness({
      script: (host) => {
        host.expectDeploy(plan, { name: 'myapp-dev-1', index: 1 }, 'create');
        host.expectDeploy(plan, { name: 'myapp-dev-2', index: 2 }, 'create');
      },
    });
    await runDeploy(h, plan, 2);
    const [vm] = h.provider.servers();
    const host = h.connector.host(vm!.ip!);
    const envFile = (name: string) => `/root/.kamal-dev/env/${name}.env`;
    expect([...host.containers.keys()].sort()).toEqual(['myapp-dev-1', 'myapp-dev-2']);
    expect(host.files.has(envFile('myapp-dev-2'))).toBe(true);
    const before = await h.readState();

    host.expectRemove('myapp-dev-2', true);
    const first = h.session();
    expect(await removeWorkspaces(SCOPE, ['myapp-dev-2'], first.deps)).toEqual([{ name: 'myapp-dev-2', removed: true }]);

    expect(h.provider.callsOf('destroyVm')).toEqual([]);
    expect(h.provider.servers().map((s) => s.id)).toEqual([vm!.id]);
    expect([...host.containers.keys()]).toEqual(['myapp-dev-1']);
    expect(host.files.has(envFile('myapp-dev-2'))).toBe(false);
    expect(host.files.has(envFile('myapp-dev-1'))).toBe(true);
    expect(host.executor.argvs.slice(-2)).toEqual([
      ['docker', 'rm', '-f', 'myapp-dev-2'],
      ['sh', '-c', 'rm -f "$HOME/.kamal-dev/env/$1.env" "$HOME/.kamal-dev/env/$1.remote.env" "$HOME/.kamal-dev/logs/$1.lifecycle.log" "$HOME/.kamal-dev/sync/$1.manifest" "$HOME/.kamal-dev/sync/$1.tar"', 'rm-env', 'myapp-dev-2'],
    ]);
    expect(await h.readState()).toEqual({ deployments: { 'myapp-dev-1': before.deployments['myapp-dev-1'] } });
    expect(timeline(first.events)).toEqual({ 'myapp-dev-2': ['container.remove', 'done:ok:removed'] });
    h.connector.assertAllDone();

    host.expectRemove('myapp-dev-1', false);
    const last = h.session();
    expect(await removeWorkspaces(SCOPE, ['myapp-dev-1'], last.deps)).toEqual([{ name: 'myapp-dev-1', removed: true }]);

    expect(h.provider.callsOf('destroyVm')).toEqual([[vm!.id]]);
    expect(h.provider.servers()).toEqual([]);
    expect(host.containers.size).toBe(0);
    expect(host.executor.argvs.at(-1)).toEqual(['docker', 'rm', '-f', 'myapp-dev-1']);
    // The last entry gone, the state file goes too.
    expect(existsSync(h.stateFile)).toBe(false);
    expect(await h.readState()).toEqual({ deployments: {} });
    expect(timeline(last.events)).toEqual({ 'myapp-dev-1': ['container.remove', 'vm.destroy', 'done:ok:removed'] });
    expect(last.events).toContainEqual({ type: 'step', workspace: 'myapp-dev-1', step: 'vm.destroy', detail: vm!.id });
    h.connector.assertAllDone();
  });

  it('finds and destroys the server of a create whose reply was lost, by its request label', async () => {
    const plan = service();
    const provider = new MemoryProvider().failNextCreate({ after: true });
    const h = await harness({ provider, script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 1);
    const entry = (await h.readState()).deployments['myapp-dev-1']!;
    expect(entry).toMatchObject({ status: 'failed', vm_id: null, request_id: expect.any(String) });
    const [lost] = h.provider.servers();

    const session = h.session();
    expect(await removeWorkspaces(SCOPE, ['myapp-dev-1'], session.deps)).toEqual([{ name: 'myapp-dev-1', removed: true }]);

    expect(h.provider.callsOf('listVms')).toContainEqual([requestLabels(SERVICE, entry.request_id!)]);
    expect(h.provider.callsOf('destroyVm')).toEqual([[lost!.id]]);
    expect(h.provider.servers()).toEqual([]);
    expect(await h.readState()).toEqual({ deployments: {} });
    // Never reached over SSH: it has no address.
    expect(h.connector.calls).toEqual([]);
    expect(timeline(session.events)).toEqual({ 'myapp-dev-1': ['vm.destroy', 'done:ok:removed'] });
  });
});
