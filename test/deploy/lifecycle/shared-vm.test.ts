import { describe, expect, it } from 'vitest';
import { WORKSPACE_LABEL } from '../../../src/providers/labels.js';
import { harness, runDeploy, service, timeline } from './deps.js';

const NAMES = ['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3'];
const AFTER_WAIT = ['vm.wait', 'ssh.wait', 'docker.check', 'image.pull', 'env.upload', 'container.start', 'lifecycle.create', 'lifecycle.post-start', 'done:ok:running (created)'];
/** A workspace that finds the shared VM's image already pulled by another (which one comes first is a race). */
const IMAGE_THERE = ['vm.wait', 'ssh.wait', 'docker.check', 'env.upload', 'image.pull', 'container.start', 'lifecycle.create', 'lifecycle.post-start', 'done:ok:running (created)'];

describe('vms.spread: false', () => {
  it('puts every workspace in its own container on one VM, recording the host ports docker chose', async () => {
    const plan = service({ spread: false });
    const h = await harness({ script: (host) => NAMES.forEach((name, i) => host.expectDeploy(plan, { name, index: i + 1 }, 'create')) });

    const { results, plan: planned } = await runDeploy(h, plan, 3);

    expect(planned.newVms).toBe(1);
    expect(h.provider.callsOf('createVm')).toHaveLength(1);
    const [vm, ...others] = h.provider.servers();
    expect(others).toEqual([]);
    expect(vm!.name).toBe('myapp-dev-shared');
    expect(vm!.labels[WORKSPACE_LABEL]).toBe('myapp-dev-1');
    expect(results.map((r) => [r.name, r.status, r.vm_id, r.action])).toEqual(NAMES.map((name) => [name, 'running', vm!.id, 'created']));

    const host = h.connector.host(vm!.ip!);
    expect([...host.containers.keys()].sort()).toEqual(NAMES);
    const state = await h.readState();
    const hostPorts: number[] = [];
    for (const name of NAMES) {
      const container = host.containers.get(name)!;
      // `-p 3000`: docker picks the host port, since several containers publish 3000 on one VM.
      expect(container.runArgv.slice(container.runArgv.indexOf('-p'), container.runArgv.indexOf('-p') + 2)).toEqual(['-p', '127.0.0.1::3000']);
      const chosen = container.published.get('3000/tcp')!;
      hostPorts.push(chosen);
      expect(state.deployments[name]).toMatchObject({ status: 'running', vm_id: vm!.id, vm_ip: vm!.ip, ports: { '3000': chosen }, host_key: h.connector.hostKey(vm!.ip!) });
    }
    expect(hostPorts.sort()).toEqual([32768, 32769, 32770]);
    expect(h.connector.connects(vm!.ip!)).toBe(3);
    // One create, one wait shared by all three.
    const steps = timeline(h.events);
    expect(steps['myapp-dev-1']).toEqual(['vm.create', ...AFTER_WAIT]);
    for (const name of ['myapp-dev-2', 'myapp-dev-3']) expect([AFTER_WAIT, IMAGE_THERE]).toContainEqual(steps[name]);
    h.connector.assertAllDone();

    // A redeploy keeps the VM, every container and their ports.
    for (const [i, name] of NAMES.entries()) host.expectDeploy(plan, { name, index: i + 1 }, 'unchanged');
    const again = await runDeploy(h.session(), plan, 3);
    expect(again.plan.newVms).toBe(0);
    expect(again.results.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(h.provider.callsOf('createVm')).toHaveLength(1);
    expect(await h.readState()).toEqual(state);
    h.connector.assertAllDone();
  });
});
