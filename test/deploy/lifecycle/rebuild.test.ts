import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { rebuildState } from '../../../src/deploy/rebuild.js';
import { REQUEST_LABEL } from '../../../src/providers/labels.js';
import { harness, runDeploy, service, SCOPE, SERVICE, workspaceOf } from './deps.js';

const NAMES = ['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3'];

describe('list --rebuild (rebuildState)', () => {
  it('rebuilds a deleted state from the labelled servers and the labelled containers on them', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 3);
    const before = await h.readState();
    await rm(h.stateFile);
    for (const host of h.connector.hosts().values()) host.expectRebuild(SERVICE);

    const session = h.session();
    expect(await rebuildState(SCOPE, session.deps)).toEqual({ added: NAMES, missing: [] });

    const servers = h.provider.servers();
    const state = await h.readState();
    expect(Object.keys(state.deployments)).toEqual(NAMES);
    for (const [i, name] of NAMES.entries()) {
      const vm = servers[i]!;
      // Everything but deployed_at comes back: the VM's labels give the request id, the host its key.
      expect(state.deployments[name]).toEqual({ ...before.deployments[name], deployed_at: null });
      expect(state.deployments[name]).toMatchObject({ vm_id: vm.id, vm_ip: vm.ip, status: 'running', request_id: vm.labels[REQUEST_LABEL], host_key: h.connector.hostKey(vm.ip!) });
      const host = h.connector.host(vm.ip!);
      expect(host.executor.argvs.slice(-2)).toEqual([
        ['docker', 'ps', '--all', '--no-trunc', '--filter', 'label=kamal-dev.service=myapp-dev', '--format', '{{.Names}}'],
        ['docker', 'inspect', '--type', 'container', name],
      ]);
    }
    // Nothing was pinned any more: each host's key is taken as it is.
    expect(h.connector.calls.slice(3).map((c) => c.pinned)).toEqual([undefined, undefined, undefined]);
    h.connector.assertAllDone();
  });

  it('marks missing the entry whose VM vanished, stopped the one whose VM is stopped, keeping pinned keys', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 3);
    const before = await h.readState();
    const [vm1, vm2, vm3] = h.provider.servers();
    h.provider.vanish(vm2!.id);
    h.provider.stopOutside(vm3!.id);
    h.connector.host(vm1!.ip!).expectRebuild(SERVICE);

    expect(await rebuildState(SCOPE, h.session().deps)).toEqual({ added: [], missing: ['myapp-dev-2'] });

    expect((await h.readState()).deployments).toEqual({
      'myapp-dev-1': before.deployments['myapp-dev-1'],
      'myapp-dev-2': { ...before.deployments['myapp-dev-2'], status: 'missing' },
      // Found by the VM's workspace label, without connecting to a stopped VM.
      'myapp-dev-3': { ...before.deployments['myapp-dev-3'], status: 'stopped' },
    });
    expect(h.connector.calls.slice(3)).toEqual([{ ip: vm1!.ip, pinned: before.deployments['myapp-dev-1']!.host_key, outcome: 'connected' }]);
    h.connector.assertAllDone();
  });

  it('finds every workspace of a shared VM by its container labels, with one docker ps and one inspect', async () => {
    const plan = service({ spread: false });
    const h = await harness({ script: (host) => NAMES.forEach((name, i) => host.expectDeploy(plan, { name, index: i + 1 }, 'create')) });
    await runDeploy(h, plan, 3);
    const before = await h.readState();
    await rm(h.stateFile);
    const [vm] = h.provider.servers();
    const host = h.connector.host(vm!.ip!);
    host.expectRebuild(SERVICE);

    expect(await rebuildState(SCOPE, h.session().deps)).toEqual({ added: NAMES, missing: [] });

    const state = await h.readState();
    for (const name of NAMES) {
      // The ports docker chose are read on deploy, not on rebuild.
      const rest = { ...before.deployments[name]! };
      delete rest.ports;
      expect(state.deployments[name]).toEqual({ ...rest, deployed_at: null, vm_id: vm!.id, request_id: vm!.labels[REQUEST_LABEL] });
    }
    const inspect = host.executor.argvs.at(-1)!;
    expect(inspect.slice(0, 4)).toEqual(['docker', 'inspect', '--type', 'container']);
    expect(inspect.slice(4).sort()).toEqual(NAMES);
    h.connector.assertAllDone();
  });
});
