import { describe, expect, it } from 'vitest';
import { setPower } from '../../src/deploy/power.js';
import { collectStatus } from '../../src/deploy/status.js';
import { workspaceCost } from '../../src/deploy/vm-cost.js';
import { vmLabels } from '../../src/providers/labels.js';
import type { Entry } from '../../src/state/schema.js';
import { fakeDeps, seedState } from '../fakes/lifecycle-deps.js';
import { MemoryProvider } from '../fakes/memory-provider.js';
import { prefix } from '../fakes/scripted-executor.js';
import { servicePlan } from './make-plan.js';

const RATES = { currency: 'EUR', startedMicroCents: 1_488_000, stoppedMicroCents: 336_000 };
const at = (time: string) => new Date(`2026-12-01T${time}:00.000Z`);

describe('workspaceCost: exact, prorated by the second', () => {
  const entry = (extra: Partial<Entry> = {}): Entry => ({ container_name: 'w', status: 'running', deployed_at: at('10:00').toISOString(), ...extra });

  it('two started hours of 1.488 c/h: 0.02976 EUR; the hourly cost is the started rate', () => {
    expect(workspaceCost(entry(), 'started', RATES, at('12:00'))).toEqual({ currency: 'EUR', hourly: 0.01488, since_deploy: 0.02976 });
  });

  it('stopped since 10:30 (a recorded stop): 0.5 h x 1.488 + 1.5 h x 0.336 = 1.248 c; now the stopped rate', () => {
    expect(workspaceCost(entry({ vm_stopped_at: at('10:30').toISOString() }), 'stopped', RATES, at('12:00'))).toEqual({ currency: 'EUR', hourly: 0.00336, since_deploy: 0.01248 });
  });

  it('earlier stops count from vm_stopped_seconds; a gone VM costs nothing now; never deployed has no cost since', () => {
    expect(workspaceCost(entry({ vm_stopped_seconds: 3600 }), 'started', RATES, at('12:00')).since_deploy).toBe(0.01824);
    expect(workspaceCost(entry(), 'missing', RATES, at('12:00')).hourly).toBe(0);
    expect(workspaceCost(entry({ deployed_at: null }), 'started', RATES, at('12:00')).since_deploy).toBeNull();
  });

  it('7 days of 1xCPU-2GB: 168 h x 1.488 c = 2.49984 EUR, no float drift', () => {
    expect(workspaceCost(entry(), 'started', RATES, new Date(at('10:00').getTime() + 7 * 86_400_000)).since_deploy).toBe(2.49984);
  });
});

describe('status: cost per workspace and who stopped the VM', () => {
  it('prices each workspace from the provider, one hourlyRates call per placement; a VM found stopped is recorded as stopped by the provider', async () => {
    let now = at('10:30');
    const provider = new MemoryProvider({ price: { currency: 'EUR', perVmHourly: 0.01488, stoppedHourly: 0.00336 } });
    const script = () => [
      { argv: prefix('docker', 'stop'), times: 'any' as const },
      { argv: prefix('docker', 'inspect'), result: { stdout: '[]' }, times: 'any' as const },
    ];
    const { deps, state } = fakeDeps({ provider, script, now: () => now });
    const entries: Record<string, Entry> = {};
    for (const name of ['myapp-dev-1', 'myapp-dev-2']) {
      const vm = await provider.createVm({ name, sshUser: 'root', sshPublicKey: 'ssh-ed25519 AAAA', labels: vmLabels('myapp-dev', name, `req-${name}`) });
      entries[name] = { container_name: name, status: 'running', vm_id: vm.id, vm_ip: vm.ip, deployed_at: at('10:00').toISOString(), service: 'myapp-dev' };
    }
    await seedState(state, entries);
    await setPower('stop', ['myapp-dev-1'], servicePlan({ devcontainer: '{"image":"ruby:3.2"}' }), deps, { vm: true });

    now = at('12:00');
    provider.powerOffInside(entries['myapp-dev-2']!.vm_id!);
    const reports = await collectStatus({ service: 'myapp-dev', destination: undefined }, ['myapp-dev-1', 'myapp-dev-2'], deps);
    expect(reports.map((r) => [r.vm_state, r.vm_stopped_by, r.cost])).toEqual([
      ['stopped', 'kamal-dev', { currency: 'EUR', hourly: 0.00336, since_deploy: 0.01248 }],
      ['stopped', 'provider', { currency: 'EUR', hourly: 0.00336, since_deploy: 0.02976 }],
    ]);
    expect(provider.callsOf('hourlyRates')).toEqual([[{ zone: 'de-fra1', plan: '1xCPU-2GB' }]]);
    expect((await state.read()).deployments['myapp-dev-2']).toMatchObject({ status: 'stopped', vm_stopped_at: at('12:00').toISOString(), vm_stopped_by: 'provider' });

    now = at('13:00');
    const later = await collectStatus({ service: 'myapp-dev', destination: undefined }, ['myapp-dev-2'], deps);
    expect(later[0]!.cost).toEqual({ currency: 'EUR', hourly: 0.00336, since_deploy: 0.03312 });
  });

  it('a price list that cannot be read: no cost, a warning, the status still reported', async () => {
    const provider = new MemoryProvider({ price: null });
    const { deps, state, notices } = fakeDeps({ provider });
    await seedState(state, { w: { container_name: 'w', status: 'stopped', vm_id: null, deployed_at: null } });
    const [report] = await collectStatus({ service: 'myapp-dev', destination: undefined }, ['w'], deps);
    expect([report!.cost, report!.vm_state]).toEqual([null, 'none']);
    expect(notices.join('\n')).toMatch(/no cost for 1xCPU-2GB in de-fra1: .*price list cannot be read/);
  });
});
