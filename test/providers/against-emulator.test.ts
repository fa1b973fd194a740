import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ConfigError, ProviderError } from '../../src/lib/errors.js';
import { ExitCode } from '../../src/lib/exit-codes.js';
import { Secret } from '../../src/lib/secret.js';
import type { Vm } from '../../src/providers/provider.js';
import { UpcloudProvider } from '../../src/providers/upcloud/upcloud-provider.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { upcloudConfig } from './support/start-server.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTestsOnly kamal-dev-test';

function providerFor(emulator: Emulator, password = emulator.password, plan = '1xCPU-2GB'): UpcloudProvider {
  return new UpcloudProvider({
    config: upcloudConfig({ zone: 'us-nyc1', plan }),
    apiUrl: emulator.apiUrl,
    credentials: { kind: 'basic', username: emulator.username, password: new Secret(password) },
    timeoutMs: 3_000,
    retries: 12,
    retryBaseMs: 5,
    retryMaxMs: 50,
    maxRetryAfterMs: 1_500,
    pollIntervalMs: 50,
    createAttempts: 12,
    createLookupDelayMs: 0,
  });
}

function request(name: string, extra: Record<string, string> = {}) {
  return {
    name,
    sshUser: 'root',
    sshPublicKey: KEY,
    labels: { managedBy: 'kamal-dev', 'kamal-dev-service': 'emu', 'kamal-dev-workspace': name, 'kamal-dev-request': `req-${name}`, ...extra },
  };
}

/** Polls getVm until the VM is started (the batched wait of many VMs is tested in test/deploy/vm-waiter.test.ts). */
async function startedVm(provider: UpcloudProvider, id: string): Promise<Vm | undefined> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const vm = await provider.getVm(id);
    if (vm?.state === 'started') return vm;
  }
  return undefined;
}

async function servers(emulator: Emulator): Promise<Array<{ labels: Record<string, string> }>> {
  const res = await fetch(`${emulator.url}/_localcloud/servers`);
  const body = (await res.json()) as { servers: Array<{ labels: { label: Array<{ key: string; value: string }> } }> };
  return body.servers.map((s) => ({ labels: Object.fromEntries(s.labels.label.map((l) => [l.key, l.value])) }));
}

describe('the UpCloud client against the emulator', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('makes exactly 50 servers from 50 creates at fault rate 0.3, none duplicated', async () => {
    emulator = await startEmulator({ bootDelayMs: 20, faultRate: 0.3, seed: 7, faultKinds: ['5xx', '429', 'drop', 'create-500'] });
    const provider = providerFor(emulator);
    const names = Array.from({ length: 50 }, (_, i) => `emu-${i + 1}`);
    const created = await Promise.all(names.map((name) => provider.createVm(request(name))));
    expect(new Set(created.map((vm) => vm.id)).size).toBe(50);
    const live = await servers(emulator);
    expect(live).toHaveLength(50);
    expect(new Set(live.map((s) => s.labels['kamal-dev-request'])).size).toBe(50);
    const faults = emulator.stats().faults as Record<string, number>;
    expect(faults['create-500']! + faults.drop! + faults['5xx']! + faults['429']!).toBeGreaterThan(10);
  }, 120_000);

  it('destroys a started server', async () => {
    emulator = await startEmulator({ bootDelayMs: 20 });
    const provider = providerFor(emulator);
    const vm = await provider.createVm(request('emu-destroy'));
    expect(vm.state).toBe('maintenance');
    expect(await startedVm(provider, vm.id)).toMatchObject({ id: vm.id, state: 'started', zone: 'us-nyc1', plan: '1xCPU-2GB' });
    await provider.destroyVm(vm.id);
    expect(await provider.getVm(vm.id)).toBeUndefined();
    expect(await servers(emulator)).toHaveLength(0);
    await provider.destroyVm(vm.id); // already gone: done
  });

  it('maps 401, 402, quota and unknown plan answers to errors with the right exit codes', async () => {
    emulator = await startEmulator({ bootDelayMs: 20 });
    const wrong = providerFor(emulator, 'not-the-password');
    const auth = await wrong.listVms({}).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(AuthError);
    expect((auth as AuthError).exitCode).toBe(ExitCode.auth);

    const provider = providerFor(emulator);
    await fetch(`${emulator.url}/_localcloud/credits`, { method: 'POST', body: JSON.stringify({ insufficient: true }) });
    const credits = await provider.createVm(request('emu-credits')).catch((e: unknown) => e);
    expect(credits).toBeInstanceOf(ProviderError);
    expect((credits as ProviderError).code).toBe('INSUFFICIENT_CREDITS');
    await fetch(`${emulator.url}/_localcloud/credits`, { method: 'POST', body: JSON.stringify({ insufficient: false }) });

    await fetch(`${emulator.url}/_localcloud/quota`, { method: 'POST', body: JSON.stringify({ max_cores: 0 }) });
    const quota = await provider.createVm(request('emu-quota')).catch((e: unknown) => e);
    expect(quota).toBeInstanceOf(ProviderError);
    expect((quota as ProviderError).code).toBe('SERVER_CORE_LIMIT_REACHED');
    expect((quota as ProviderError).exitCode).toBe(ExitCode.failed);

    const plan = await providerFor(emulator, emulator.password, '3xCPU-99GB').createVm(request('emu-plan')).catch((e: unknown) => e);
    expect(plan).toBeInstanceOf(ConfigError);
    expect((plan as Error).message).toMatch(/provider\.plan: unknown UpCloud plan "3xCPU-99GB".*1xCPU-2GB/);
    expect(await servers(emulator)).toHaveLength(0);
  });
});
