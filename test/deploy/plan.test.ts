import { describe, expect, it } from 'vitest';
import { planJson, planText, previewDeploy } from '../../src/deploy/plan-output.js';
import { planDeploy } from '../../src/deploy/plan.js';
import type { State } from '../../src/state/schema.js';
import { loadedConfig, servicePlan } from './make-plan.js';

const DEVCONTAINER = '{"image":"alpine:3","forwardPorts":[3000]}';

function run(count: number, deployments: State['deployments'] = {}, config: Record<string, unknown> = {}) {
  return planDeploy({ config: loadedConfig(config), state: { deployments }, count, placement: { zone: 'us-nyc1', plan: '1xCPU-2GB' } });
}

const entry = (status: 'running' | 'missing' | 'failed', extra: Record<string, string> = {}) => ({ container_name: 'x', status, vm_id: 'vm', vm_ip: '1.2.3.4', ...extra });

describe('deploy plan', () => {
  it('names new workspaces with the pattern from index 1', () => {
    const plan = run(3);
    expect(plan.workspaces.map((w) => [w.name, w.vm.action])).toEqual([
      ['myapp-dev-1', 'create'],
      ['myapp-dev-2', 'create'],
      ['myapp-dev-3', 'create'],
    ]);
    expect(plan.newVms).toBe(3);
  });

  it('keeps the state workspaces (reuse) and fills the next free indexes', () => {
    const plan = run(4, { 'myapp-dev-1': entry('running', { zone: 'de-fra1', plan: '2xCPU-4GB' }), 'myapp-dev-3': entry('failed'), 'other-svc-2': entry('running') });
    expect(plan.workspaces.map((w) => [w.name, w.vm.action, w.vm.zone, w.vm.plan])).toEqual([
      ['myapp-dev-1', 'reuse', 'de-fra1', '2xCPU-4GB'],
      ['myapp-dev-3', 'reuse', 'us-nyc1', '1xCPU-2GB'],
      ['myapp-dev-2', 'create', 'us-nyc1', '1xCPU-2GB'],
      ['myapp-dev-4', 'create', 'us-nyc1', '1xCPU-2GB'],
    ]);
    expect(plan.newVms).toBe(2);
  });

  it('a workspace whose VM is missing, or was never created, needs a new VM', () => {
    expect(run(1, { 'myapp-dev-1': entry('missing') }).workspaces[0]!.vm.action).toBe('create');
    expect(run(1, { 'myapp-dev-1': { container_name: 'myapp-dev-1', status: 'provisioning' } }).workspaces[0]!.vm.action).toBe('create');
  });

  it('more workspaces in the state than --count: says so and leaves them', () => {
    const plan = run(1, { 'myapp-dev-1': entry('running'), 'myapp-dev-2': entry('running') });
    expect(plan.workspaces.map((w) => w.name)).toEqual(['myapp-dev-1']);
    expect(plan.beyondCount).toEqual(['myapp-dev-2']);
    expect(plan.warnings).toEqual([expect.stringContaining('leaves myapp-dev-2 alone')]);
  });

  it('zero-padded pattern', () => {
    expect(run(2, {}, { naming: { pattern: 'ws-{index:03}' } }).workspaces.map((w) => w.name)).toEqual(['ws-001', 'ws-002']);
  });

  it('spread: false puts every workspace on one VM, with ports docker picks', () => {
    const fresh = run(3, {}, { vms: { spread: false } });
    expect(fresh.workspaces.map((w) => w.vm.action)).toEqual(['create', 'reuse', 'reuse']);
    expect(fresh.newVms).toBe(1);
    const [first] = previewDeploy(servicePlan({ devcontainer: DEVCONTAINER, spread: false }), fresh, '/root');
    expect(first!.workspace.publish).toEqual(['127.0.0.1::3000']);
    const existing = run(2, { 'myapp-dev-1': entry('running') }, { vms: { spread: false } });
    expect(existing.workspaces.map((w) => w.vm.action)).toEqual(['reuse', 'reuse']);
    expect(existing.newVms).toBe(0);
  });

  it('the dry run lists the lifecycle commands, postAttachCommand with when it runs', () => {
    const dc = '{"image":"alpine:3","remoteUser":"dev","postCreateCommand":"make setup","postAttachCommand":["git","fetch"]}';
    const service = servicePlan({ devcontainer: dc });
    const previews = previewDeploy(service, run(1), '/root');
    const text = planText(run(1), previews, null, service);
    const exec = 'docker exec -u dev -w /workspaces/myapp --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1';
    expect(text).toContain(`  postCreateCommand (once, when the container is created): ${exec} /bin/sh -c 'make setup'\n`);
    expect(text).toContain(`  postAttachCommand (on every attach: ssh and the ssh-config hosts): ${exec} git fetch\n`);
    expect(text).toContain('  image: pull alpine:3\n');
    const json = planJson(run(1), previews, null, service) as { workspaces: { lifecycle: Record<string, string[][][]> }[] };
    expect(Object.keys(json.workspaces[0]!.lifecycle)).toEqual(['postCreateCommand', 'postAttachCommand']);
    expect(json.workspaces[0]!.lifecycle.postAttachCommand).toEqual([[[...exec.split(' '), 'git', 'fetch']]]);
  });

  it('dry-run JSON shape (docs/commands.md#deploy-dry-run)', () => {
    const service = servicePlan({ devcontainer: DEVCONTAINER });
    const previews = previewDeploy(service, run(1), '/root');
    const json = planJson(run(1), previews, null, service) as { service: string; workspaces: Record<string, unknown>[]; cost: unknown };
    expect(Object.keys(json)).toEqual(['service', 'workspaces', 'cost']);
    expect(Object.keys(json.workspaces[0]!)).toEqual(['name', 'vm', 'docker_run', 'env_file_keys', 'image', 'lifecycle']);
    expect(json.cost).toBeNull();
    const cost = planJson(run(1), previews, { currency: 'EUR', newVms: 1, perVmHourly: 0.01, hourly: 0.01, monthly: 6.72, hoursPerMonth: 672 }, service) as { cost: unknown };
    expect(cost.cost).toEqual({ currency: 'EUR', hourly: 0.01, monthly: 6.72, new_vms: 1 });
  });
});
