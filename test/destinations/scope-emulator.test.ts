import { afterEach, describe, expect, it } from 'vitest';
import { listServiceVms } from '../../src/deploy/service-vms.js';
import { Secret } from '../../src/lib/secret.js';
import { DESTINATION_LABEL, vmLabels } from '../../src/providers/labels.js';
import { UpcloudProvider } from '../../src/providers/upcloud/upcloud-provider.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { upcloudConfig } from '../providers/support/start-server.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTestsOnly kamal-dev-test';

describe("a destination's VMs through UpCloud label filters (the emulator)", () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('each destination, and no destination, sees only its own VMs of the service', async () => {
    emulator = await startEmulator({ bootDelayMs: 10 });
    const provider = new UpcloudProvider({
      config: upcloudConfig({ zone: 'us-nyc1', plan: '1xCPU-2GB' }),
      apiUrl: emulator.apiUrl,
      credentials: { kind: 'basic', username: emulator.username, password: new Secret(emulator.password) },
      pollIntervalMs: 20,
    });
    const create = (workspace: string, destination?: string) =>
      provider.createVm({ name: workspace, sshUser: 'root', sshPublicKey: KEY, labels: vmLabels('app', workspace, `req-${workspace}-${destination}`, destination) });
    const plain = await create('app-1');
    const staging = await Promise.all([create('app-1', 'staging'), create('app-2', 'staging')]);
    const production = await create('app-1', 'production');
    await create('app-2'); // a second VM of no destination
    const signal = new AbortController().signal;
    const ids = async (destination?: string) => (await listServiceVms(provider, { service: 'app', destination }, signal)).map((vm) => vm.id).sort();

    expect(await ids('staging')).toEqual(staging.map((vm) => vm.id).sort());
    expect(await ids('production')).toEqual([production.id]);
    const none = await ids(undefined);
    expect(none).toHaveLength(2);
    expect(none).toContain(plain.id);
    expect(await ids('qa')).toEqual([]);
    // The filter alone (what UpCloud answers) lists every destination's VMs for "no destination": 5.
    expect(await provider.listVms({ managedBy: 'kamal-dev', 'kamal-dev-service': 'app' })).toHaveLength(5);
    expect((await provider.getVm(production.id))?.labels[DESTINATION_LABEL]).toBe('production');
  });
});
