import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ConfigError, ProviderError } from '../../src/lib/errors.js';
import { REQUEST_LABEL, requestLabels, serviceLabels, vmLabels } from '../../src/providers/labels.js';
import { PlacementError, type CreateVmRequest, type Provider, type Vm } from '../../src/providers/provider.js';
import { providerFor, startServer } from '../providers/support/start-server.js';
import { ManualClock, MemoryProvider } from './memory-provider.js';

const KEY = 'ssh-ed25519 AAAA test';

function request(workspace: string, service = 'svc', requestId: string = randomUUID()): CreateVmRequest {
  return { name: workspace, sshUser: 'ubuntu', sshPublicKey: KEY, labels: vmLabels(service, workspace, requestId) };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** One side of the contract: a provider, a way to let booting and stopping finish, and a delete sent as is. */
interface Subject {
  provider: Provider;
  /** Until no server is in maintenance. */
  settle(): Promise<void>;
  /** DELETE with no stop first, as someone at the console would; rejects with the refusal. */
  deleteOutside(id: string): Promise<void>;
  close(): Promise<void>;
}

async function fakeSubject(): Promise<Subject> {
  const clock = new ManualClock();
  const provider = new MemoryProvider({ clock, bootDelayMs: 1_000, stopDelayMs: 1_000 });
  return {
    provider,
    settle: async () => clock.advance(1_000),
    deleteOutside: async (id) => provider.deleteOutside(id),
    close: async () => {},
  };
}

async function emulatorSubject(): Promise<Subject> {
  const cloud = await startServer({ bootDelayMs: 400 });
  const provider = providerFor(cloud);
  const authorization = `Basic ${Buffer.from(`${cloud.username}:${cloud.password}`).toString('base64')}`;
  return {
    provider,
    settle: async () => {
      while (cloud.liveServers().some((server) => server.state === 'maintenance')) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    deleteOutside: async (id) => {
      const res = await fetch(`${cloud.apiUrl}/1.3/server/${id}?storages=1`, { method: 'DELETE', headers: { Authorization: authorization } });
      if (res.status === 204) return;
      const body = (await res.json()) as { error: { error_code: string; error_message: string } };
      throw new ProviderError(`DELETE answered ${res.status}: ${body.error.error_message}`, { status: res.status, code: body.error.error_code });
    },
    close: () => cloud.close(),
  };
}

describe.each([
  ['the memory fake', fakeSubject],
  ['UpcloudProvider against the emulator', emulatorSubject],
])('the shared server rules: %s', (_name, start) => {
  let subject: Subject | undefined;
  afterEach(async () => {
    await subject?.close();
    subject = undefined;
  });

  it('a create answers maintenance with its address; it is started after the boot delay', async () => {
    subject = await start();
    const { provider } = subject;
    const vm = await provider.createVm(request('ws-1'));
    expect(vm).toMatchObject({ name: 'ws-1', state: 'maintenance', zone: provider.placement.zone, plan: provider.placement.plan });
    expect(vm.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(vm.labels).toEqual(request('ws-1', 'svc', vm.labels[REQUEST_LABEL]).labels);
    expect((await provider.getVm(vm.id))?.state).toBe('maintenance');
    await subject.settle();
    expect(await provider.getVm(vm.id)).toEqual({ ...vm, state: 'started' });
  });

  it('a list carries no addresses, a get does', async () => {
    subject = await start();
    const { provider } = subject;
    const vm = await provider.createVm(request('ws-1'));
    await subject.settle();
    const [listed] = await provider.listVms(serviceLabels('svc'));
    expect(listed).toEqual({ ...vm, state: 'started', ip: undefined });
    expect((await provider.getVm(vm.id))?.ip).toBe(vm.ip);
  });

  it('label filters are ANDed; no filter lists everything', async () => {
    subject = await start();
    const { provider } = subject;
    const a1 = await provider.createVm(request('a-1', 'a'));
    const a2 = await provider.createVm(request('a-2', 'a'));
    const b1 = await provider.createVm(request('b-1', 'b'));
    const ids = (vms: Vm[]) => vms.map((vm) => vm.id).sort();
    expect(ids(await provider.listVms(serviceLabels('a')))).toEqual([a1.id, a2.id].sort());
    expect(ids(await provider.listVms({ ...serviceLabels('a'), 'kamal-dev-workspace': 'a-2' }))).toEqual([a2.id]);
    expect(ids(await provider.listVms({ ...serviceLabels('b'), 'kamal-dev-workspace': 'a-2' }))).toEqual([]);
    expect(ids(await provider.listVms(requestLabels('b', b1.labels[REQUEST_LABEL]!)))).toEqual([b1.id]);
    expect(ids(await provider.listVms({}))).toEqual([a1.id, a2.id, b1.id].sort());
    await subject.settle();
  });

  it('a started VM cannot be deleted as is (409); destroyVm stops it first, then deletes it; gone counts as done', async () => {
    subject = await start();
    const { provider } = subject;
    const vm = await provider.createVm(request('ws-1'));
    await subject.settle();
    const refused = await failure(subject.deleteOutside(vm.id));
    expect([refused.status, refused.code]).toEqual([409, 'SERVER_STATE_ILLEGAL']);
    expect(refused.message).toContain(`The operation is not allowed while the server ${vm.id} is in state 'started'.`);
    expect((await provider.getVm(vm.id))?.state).toBe('started');

    const destroyed = provider.destroyVm(vm.id);
    await subject.settle();
    await destroyed;
    expect(await provider.getVm(vm.id)).toBeUndefined();
    expect(await provider.listVms({})).toEqual([]);
    await provider.destroyVm(vm.id);
  });

  it('an unknown id: getVm undefined, startVm 404 SERVER_NOT_FOUND, destroyVm done; a malformed one is a 400', async () => {
    subject = await start();
    const { provider } = subject;
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await provider.getVm(unknown)).toBeUndefined();
    const start404 = await failure(provider.startVm(unknown));
    expect([start404.status, start404.code]).toEqual([404, 'SERVER_NOT_FOUND']);
    await provider.destroyVm(unknown);
    expect((await failure(provider.getVm('not-a-uuid'))).status).toBe(400);
  });

  it('refuses a create without its request label, making nothing', async () => {
    subject = await start();
    const labels = { ...request('x').labels };
    delete labels[REQUEST_LABEL];
    await expect(subject.provider.createVm({ ...request('x'), labels })).rejects.toThrow(`createVm needs a ${REQUEST_LABEL} label`);
    expect(await subject.provider.listVms({})).toEqual([]);
  });
});

describe('MemoryProvider', () => {
  it('create goes maintenance -> started on its clock, never before the boot delay', async () => {
    const clock = new ManualClock();
    const fake = new MemoryProvider({ clock, bootDelayMs: 30_000 });
    const vm = await fake.createVm(request('ws-1'));
    clock.advance(29_999);
    expect(fake.servers().map((s) => s.state)).toEqual(['maintenance']);
    clock.advance(1);
    expect(fake.servers()).toEqual([{ ...vm, state: 'started' }]);
    expect(clock.pending()).toBe(0);
  });

  it('with no delays a create still answers maintenance, and is started right after', async () => {
    const fake = new MemoryProvider();
    const vm = await fake.createVm(request('ws-1'));
    expect(vm.state).toBe('maintenance');
    expect(fake.servers()[0]!.state).toBe('started');
  });

  it('startVm and destroyVm wait out maintenance, then drive the VM like UpcloudProvider', async () => {
    const clock = new ManualClock();
    const fake = new MemoryProvider({ clock, bootDelayMs: 1_000, startDelayMs: 500, stopDelayMs: 200 });
    const vm = await fake.createVm(request('ws-1'));
    let started = false;
    const starting = fake.startVm(vm.id).then(() => (started = true));
    await Promise.resolve();
    expect(started).toBe(false);
    clock.advance(1_000);
    await starting;

    fake.stopOutside(vm.id);
    clock.advance(200);
    expect(fake.servers()[0]!.state).toBe('stopped');
    const restarting = fake.startVm(vm.id);
    expect(fake.servers()[0]!.state).toBe('maintenance');
    clock.advance(500);
    await restarting;
    expect(fake.servers()[0]!.state).toBe('started');

    const destroying = fake.destroyVm(vm.id);
    expect(fake.servers()[0]!.state).toBe('maintenance');
    clock.advance(200);
    await destroying;
    expect(fake.servers()).toEqual([]);
  });

  it('the stop and start rules: stop only from started, start only when stopped (a started one needs nothing)', async () => {
    const fake = new MemoryProvider();
    const vm = await fake.createVm(request('ws-1'));
    fake.stopOutside(vm.id);
    expect(() => fake.stopOutside(vm.id)).toThrow(`The operation is not allowed while the server ${vm.id} is in state 'stopped'.`);
    await fake.startVm(vm.id);
    await fake.startVm(vm.id);
    expect(fake.servers()[0]!.state).toBe('started');
    fake.stopOutside(vm.id);
    fake.deleteOutside(vm.id);
    expect(fake.servers()).toEqual([]);
  });

  it('stopVm returns once the stop has begun (stopped after the stop delay); a stopped VM needs nothing; a gone one is 404', async () => {
    const clock = new ManualClock();
    const fake = new MemoryProvider({ clock, stopDelayMs: 200 });
    const vm = await fake.createVm(request('ws-1'));
    await fake.stopVm(vm.id);
    expect(fake.servers()[0]!.state).toBe('maintenance');
    clock.advance(200);
    expect(fake.servers()[0]!.state).toBe('stopped');
    await fake.stopVm(vm.id);
    expect(clock.pending()).toBe(0);
    fake.vanish(vm.id);
    expect((await failure(fake.stopVm(vm.id))).message).toMatch(/does not exist/);
  });

  it('the power-off rule (rules.ts): a started VM powered off from inside stops; in any other state nothing changes', async () => {
    const clock = new ManualClock();
    const fake = new MemoryProvider({ clock, bootDelayMs: 100, stopDelayMs: 50 });
    const vm = await fake.createVm(request('ws-1'));
    fake.powerOffInside(vm.id); // still booting: no OS to ask
    expect([fake.servers()[0]!.state, clock.pending()]).toEqual(['maintenance', 1]);
    clock.advance(100);
    fake.powerOffInside(vm.id);
    clock.advance(50);
    expect(fake.servers()[0]!.state).toBe('stopped');
    fake.powerOffInside(vm.id);
    expect([fake.servers()[0]!.state, clock.pending()]).toEqual(['stopped', 0]);
  });

  it('failNextCreate({ after: true }): the VM exists, the call throws, and listVms by its request label finds it', async () => {
    const fake = new MemoryProvider();
    const requestId = randomUUID();
    fake.failNextCreate({ after: true });
    const error = await failure(fake.createVm(request('ws-1', 'svc', requestId)));
    expect(error.message).toMatch(/no answer; looking for the server afterwards failed too/);
    expect(error.hint).toContain(`${REQUEST_LABEL}=${requestId}`);
    const found = await fake.listVms(requestLabels('svc', requestId));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ name: 'ws-1', state: 'started', ip: undefined });
    expect(fake.servers().map((vm) => vm.id)).toEqual([found[0]!.id]);
    // Only the scripted create fails.
    await fake.createVm(request('ws-2'));
    expect(fake.servers()).toHaveLength(2);
  });

  it('failNextCreate({ after: false }) makes nothing; a scripted error is thrown as given; failures queue', async () => {
    const fake = new MemoryProvider();
    const own = new ProviderError('quota', { status: 409, code: 'SERVER_CORE_LIMIT_REACHED' });
    fake.failNextCreate({ after: false }).failNextCreate({ after: false, error: own });
    expect((await failure(fake.createVm(request('ws-1')))).code).toBe('INTERNAL_ERROR');
    await expect(fake.createVm(request('ws-1'))).rejects.toBe(own);
    expect(fake.servers()).toEqual([]);
    await fake.createVm(request('ws-1'));
    expect(fake.servers()).toHaveLength(1);
  });

  it('vanish(id): gone at the provider, whatever its state', async () => {
    const clock = new ManualClock();
    const fake = new MemoryProvider({ clock, bootDelayMs: 1_000 });
    const vm = await fake.createVm(request('ws-1'));
    const waiting = fake.startVm(vm.id);
    expect(fake.vanish(vm.id)).toBe(true);
    expect((await failure(waiting)).code).toBe('SERVER_NOT_FOUND');
    expect(fake.vanish(vm.id)).toBe(false);
    expect(await fake.getVm(vm.id)).toBeUndefined();
    await fake.destroyVm(vm.id);
    clock.advance(1_000); // the boot that was under way changes nothing
    expect(fake.servers()).toEqual([]);
  });

  it('records every call with its arguments, the signal left out', async () => {
    const fake = new MemoryProvider();
    const signal = new AbortController().signal;
    const vm = await fake.createVm(request('ws-1', 'svc', 'req-1'), signal);
    await fake.listVms(serviceLabels('svc'), signal);
    await fake.getVm(vm.id);
    await fake.getVm(vm.id);
    await fake.destroyVm(vm.id);
    await fake.estimateCost(2);
    expect(fake.calls.map((call) => call.method)).toEqual(['createVm', 'listVms', 'getVm', 'getVm', 'destroyVm', 'estimateCost']);
    expect(fake.calls[0]!.args).toEqual([request('ws-1', 'svc', 'req-1')]);
    expect(fake.callsOf('getVm')).toEqual([[vm.id], [vm.id]]);
    expect(fake.callsOf('estimateCost')).toEqual([[2]]);
  });

  it('failNext(method) throws once, before doing anything', async () => {
    const fake = new MemoryProvider();
    const vm = await fake.createVm(request('ws-1'));
    fake.failNext('destroyVm');
    expect((await failure(fake.destroyVm(vm.id))).status).toBe(503);
    expect(fake.servers()).toHaveLength(1);
    await fake.destroyVm(vm.id);
    expect(fake.servers()).toEqual([]);
  });

  it('failNextBoot(): the VM ends in error, and startVm says it cannot start it', async () => {
    const fake = new MemoryProvider();
    const vm = await fake.failNextBoot().createVm(request('ws-1'));
    expect((await fake.getVm(vm.id))?.state).toBe('error');
    expect((await failure(fake.startVm(vm.id))).message).toBe(`memory provider: server ${vm.id} cannot reach started from state error`);
  });

  it('an abort while waiting is a CancelledError; an aborted signal fails the call at once', async () => {
    const clock = new ManualClock();
    const fake = new MemoryProvider({ clock, bootDelayMs: 1_000 });
    const vm = await fake.createVm(request('ws-1'));
    const controller = new AbortController();
    const waiting = fake.destroyVm(vm.id, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    await expect(fake.getVm(vm.id, controller.signal)).rejects.toBeInstanceOf(CancelledError);
  });

  it('estimateCost is the configured price times the count; a month is 672 hours', async () => {
    expect(await new MemoryProvider().estimateCost(3)).toEqual({ currency: 'EUR', newVms: 3, perVmHourly: 0.01488, hourly: 0.04464, monthly: 30, hoursPerMonth: 672 });
    const custom = new MemoryProvider({ price: { currency: 'USD', perVmHourly: 0.5, hoursPerMonth: 720 } });
    expect(await custom.estimateCost(2)).toEqual({ currency: 'USD', newVms: 2, perVmHourly: 0.5, hourly: 1, monthly: 720, hoursPerMonth: 720 });
    expect(await custom.estimateCost(0)).toMatchObject({ hourly: 0, monthly: 0 });
    await expect(custom.estimateCost(1.5)).rejects.toBeInstanceOf(ConfigError);
    expect((await failure(new MemoryProvider({ price: null }).estimateCost(1))).status).toBe(503);
  });

  it('checkPlacement names the valid zones and plans; plans() is the configured list', async () => {
    const plans = [
      { name: 'small', cores: 1, memoryMb: 1024, storageGb: 10 },
      { name: 'large', cores: 4, memoryMb: 8192, storageGb: 80 },
    ];
    const fake = new MemoryProvider({ placement: { provider: 'test', zone: 'z1', plan: 'large' }, zones: ['z1', 'z2'], plans });
    expect(fake.placement).toEqual({ provider: 'test', zone: 'z1', plan: 'large' });
    expect(await fake.checkPlacement()).toEqual(plans[1]);
    expect(await fake.plans()).toEqual(plans);
    const badPlan = new MemoryProvider({ placement: { zone: 'z1', plan: 'huge' }, zones: ['z1'], plans });
    await expect(badPlan.checkPlacement()).rejects.toThrow('provider.plan: unknown plan "huge"; valid: large, small');
    await expect(badPlan.createVm(request('ws-1'))).rejects.toBeInstanceOf(PlacementError);
    const badZone = new MemoryProvider({ placement: { zone: 'nowhere' } });
    await expect(badZone.estimateCost(1)).rejects.toThrow(/^provider\.zone: unknown zone "nowhere"; valid: de-fra1, /);
    expect(badPlan.servers()).toEqual([]);
  });
});
