import { afterEach, describe, expect, it } from 'vitest';
import { VmWaiter } from '../../src/deploy/vm-waiter.js';
import { ProviderError } from '../../src/lib/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { UpcloudProvider } from '../../src/providers/upcloud/index.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';

const LABELS = { managedBy: 'kamal-dev', 'kamal-dev-service': 'wait' };

function create(provider: UpcloudProvider, name: string) {
  return provider.createVm({
    name,
    zone: 'us-nyc1',
    plan: '1xCPU-1GB',
    storageTemplate: '01000000-0000-4000-8000-000030240200',
    diskSizeGb: undefined,
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTestsOnly test',
    labels: { ...LABELS, 'kamal-dev-workspace': name, 'kamal-dev-request': `r-${name}` },
  });
}

describe('VmWaiter against the emulator', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
  });

  it('waits for 10 VMs with one list call per interval, whoever is waiting, and shares a wait for one VM', async () => {
    emulator = await startEmulator({ bootDelayMs: 600 });
    const provider = new UpcloudProvider({
      apiUrl: emulator.apiUrl,
      credentials: { kind: 'basic', username: emulator.username, password: new Secret(emulator.password) },
    });
    const vms = await Promise.all(Array.from({ length: 10 }, (_, i) => create(provider, `wait-${i + 1}`)));
    const before = emulator.stats().requests['GET /1.3/server'] ?? 0;
    const waiter = new VmWaiter(provider, LABELS, { intervalMs: 100, timeoutMs: 10_000 });
    const started = Date.now();
    const results = await Promise.all([...vms.map((vm) => waiter.waitFor(vm.id)), waiter.waitFor(vms[0]!.id)]);
    const elapsed = Date.now() - started;
    expect(results.every((vm) => vm.state === 'started' && vm.ip)).toBe(true);
    expect(results[10]).toEqual(results[0]);
    const lists = (emulator.stats().requests['GET /1.3/server'] ?? 0) - before;
    // One list per interval for all ten (plus one at the end), never one per VM per interval.
    expect(lists).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(lists).toBeLessThan(10 * 3);
    expect(emulator.stats().requests['GET /1.3/server/{uuid}']).toBe(10); // addresses, once each
  });

  it('gives up on a VM that does not start in time, naming its last state', async () => {
    emulator = await startEmulator({ bootDelayMs: 5_000 });
    const provider = new UpcloudProvider({
      apiUrl: emulator.apiUrl,
      credentials: { kind: 'basic', username: emulator.username, password: new Secret(emulator.password) },
    });
    const vm = await create(provider, 'slow-1');
    const waiter = new VmWaiter(provider, LABELS, { intervalMs: 50, timeoutMs: 300 });
    const error = await waiter.waitFor(vm.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(/was not started after 0 s \(last state: maintenance\)/);
  });
});
