import { describe, expect, it } from 'vitest';
import { setPower } from '../../src/deploy/power.js';
import { onSameVms } from '../../src/deploy/vm-power.js';
import { vmLabels } from '../../src/providers/labels.js';
import type { Entry } from '../../src/state/schema.js';
import { fakeDeps, seedState } from '../fakes/lifecycle-deps.js';
import type { MemoryProvider } from '../fakes/memory-provider.js';
import { prefix } from '../fakes/scripted-executor.js';
import { servicePlan } from './make-plan.js';

const SERVICE = 'myapp-dev';
const script = () => [
  { argv: prefix('docker', 'stop'), times: 'any' as const },
  { argv: prefix('docker', 'start'), times: 'any' as const },
  { argv: ['sh', '-c', 'printf %s "$HOME"'], result: { stdout: '/root' }, times: 'any' as const },
  { argv: prefix('docker', 'image', 'inspect'), result: { stdout: '{"User":"","Labels":null}\n' }, times: 'any' as const },
];

/** `count` workspaces deployed on `vms` VMs (1: one shared VM), their VMs started at the provider. */
async function deployed(provider: MemoryProvider, count: number, vms = count): Promise<Record<string, Entry>> {
  const made = [];
  for (let i = 0; i < vms; i++) made.push(await provider.createVm({ name: `vm-${i}`, sshUser: 'root', sshPublicKey: 'ssh-ed25519 AAAA', labels: vmLabels(SERVICE, `${SERVICE}-${i + 1}`, `req-${i}`) }));
  const entries: Record<string, Entry> = {};
  for (let i = 1; i <= count; i++) {
    const vm = made[(i - 1) % vms]!;
    entries[`${SERVICE}-${i}`] = { container_name: `${SERVICE}-${i}`, status: 'running', vm_id: vm.id, vm_ip: vm.ip, deployed_at: '2026-12-01T08:00:00.000Z', service: SERVICE, host_key: 'SHA256:pinned' };
  }
  return entries;
}

describe('stop --vm and start on the in-memory provider', () => {
  const plan = (spread = true) => servicePlan({ devcontainer: '{"image":"ruby:3.2"}', spread });

  it('stop --vm: containers first, then each VM powered off once and waited for by list calls only; the state says who stopped it and when', async () => {
    let now = new Date('2026-12-01T10:00:00.000Z');
    const { deps, provider, hosts, state } = fakeDeps({ script, now: () => now });
    const entries = await deployed(provider, 3);
    await seedState(state, entries);
    const results = await setPower('stop', Object.keys(entries), plan(), deps, { vm: true });
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(provider.servers().map((vm) => vm.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(provider.callsOf('stopVm')).toHaveLength(3);
    expect(provider.callsOf('getVm')).toHaveLength(0);
    for (const host of hosts.values()) expect(host.argvs).toEqual([['docker', 'stop', '-t', '10', host.runs[0]!.argv[4]!]]);
    const after = (await state.read()).deployments;
    for (const entry of Object.values(after)) expect(entry).toMatchObject({ status: 'stopped', vm_stopped_at: '2026-12-01T10:00:00.000Z', vm_stopped_by: 'kamal-dev' });

    now = new Date('2026-12-01T10:30:00.000Z');
    const started = await setPower('start', Object.keys(entries), plan(), deps);
    expect(started.map((r) => r.ok)).toEqual([true, true, true]);
    expect(provider.servers().map((vm) => vm.state)).toEqual(['started', 'started', 'started']);
    expect(provider.callsOf('startVm')).toHaveLength(3);
    for (const entry of Object.values((await state.read()).deployments)) {
      expect(entry).toMatchObject({ status: 'running', vm_stopped_seconds: 1800 });
      expect(entry.vm_stopped_at).toBeUndefined();
    }
  });

  it('start reconnects with the pinned host key and the new-VM SSH deadline after a boot; a running VM is not started again', async () => {
    const { deps, provider, connects, state } = fakeDeps({ script });
    const entries = await deployed(provider, 2);
    await seedState(state, entries);
    provider.stopOutside(entries[`${SERVICE}-1`]!.vm_id!);
    await setPower('start', Object.keys(entries), plan(), deps);
    expect(provider.callsOf('startVm')).toEqual([[entries[`${SERVICE}-1`]!.vm_id]]);
    expect(connects.map((c) => [c.pinned, c.timeoutMs])).toEqual(expect.arrayContaining([['SHA256:pinned', 5_000], ['SHA256:pinned', 30_000]]));
  });

  it('a shared VM: every container on it is stopped over one connection, the VM once', async () => {
    const { deps, provider, hosts, state } = fakeDeps({ script });
    const entries = await deployed(provider, 3, 1);
    await seedState(state, entries);
    expect(onSameVms(entries, [`${SERVICE}-2`])).toEqual([`${SERVICE}-2`, `${SERVICE}-1`, `${SERVICE}-3`]);
    const results = await setPower('stop', Object.keys(entries), plan(false), deps, { vm: true });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(provider.callsOf('stopVm')).toHaveLength(1);
    expect([...hosts.values()][0]!.argvs.map((argv) => argv.at(-1))).toEqual([`${SERVICE}-1`, `${SERVICE}-2`, `${SERVICE}-3`]);
  });

  it('a VM gone at the provider fails its workspace only; a VM already stopped is not stopped again', async () => {
    const { deps, provider, state } = fakeDeps({ script });
    const entries = await deployed(provider, 3);
    await seedState(state, entries);
    provider.vanish(entries[`${SERVICE}-1`]!.vm_id!);
    provider.stopOutside(entries[`${SERVICE}-2`]!.vm_id!);
    const results = await setPower('stop', Object.keys(entries), plan(), deps, { vm: true });
    expect(results.map((r) => r.ok)).toEqual([false, true, true]);
    expect(results[0]!.error).toMatch(/is not at the provider/);
    expect(provider.callsOf('stopVm')).toEqual([[entries[`${SERVICE}-3`]!.vm_id]]);
  });
});
