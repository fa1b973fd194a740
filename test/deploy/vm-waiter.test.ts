import { afterEach, describe, expect, it } from 'vitest';
import { VmWaiter } from '../../src/deploy/vm-waiter.js';
import { CancelledError, ProviderError } from '../../src/lib/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { sleep as realSleep } from '../../src/lib/sleep.js';
import type { Provider, Vm, VmState } from '../../src/providers/provider.js';
import { serviceLabels, vmLabels } from '../../src/providers/labels.js';
import { DEFAULT_STORAGE_TEMPLATE } from '../../src/providers/upcloud/config.js';
import { UpcloudProvider } from '../../src/providers/upcloud/upcloud-provider.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';

const LABELS = serviceLabels('wait');

/**
 * A provider on a simulated clock: each VM is `maintenance` until its start time, then `started` (or the
 * state it is given). Like UpCloud, the list has no addresses; getVm has. Every call is recorded with the
 * simulated time it was made at.
 */
class SimulatedCloud {
  time = 0;
  readonly lists: number[] = [];
  readonly gets: Array<[string, number]> = [];
  readonly sleeps: number[] = [];
  /** Errors the next list calls throw, in order. */
  readonly listFailures: Error[] = [];
  private readonly vms = new Map<string, { startsAt: number; finalState: VmState }>();
  /** Run when the simulated clock reaches a time (checked at each sleep). */
  private readonly at: Array<[number, () => void]> = [];

  add(id: string, startsAt: number, finalState: VmState = 'started'): void {
    this.vms.set(id, { startsAt, finalState });
  }

  when(time: number, action: () => void): void {
    this.at.push([time, action]);
  }

  private vm(id: string, withIp: boolean): Vm {
    const { startsAt, finalState } = this.vms.get(id)!;
    const state = this.time >= startsAt ? finalState : 'maintenance';
    return { id, name: id, state, ip: withIp && state === 'started' ? `198.51.100.${this.vms.size}` : undefined, zone: 'us-nyc1', plan: '1xCPU-1GB', labels: LABELS };
  }

  readonly provider = {
    listVms: async (labels: Record<string, string>): Promise<Vm[]> => {
      expect(labels).toEqual(LABELS);
      this.lists.push(this.time);
      const failure = this.listFailures.shift();
      if (failure) throw failure;
      return [...this.vms.keys()].map((id) => this.vm(id, false));
    },
    getVm: async (id: string): Promise<Vm | undefined> => {
      this.gets.push([id, this.time]);
      return this.vm(id, true);
    },
  } as unknown as Provider;

  /** The waiter's sleep: advances the simulated clock at once (no real time passes, but the event loop turns). */
  readonly sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    this.time += ms;
    for (const [time, action] of this.at.filter(([t]) => t <= this.time)) {
      this.at.splice(this.at.findIndex(([t, a]) => t === time && a === action), 1);
      action();
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new CancelledError();
  };

  readonly now = (): number => this.time;

  waiter(options: { intervalMs: number; timeoutMs: number; signal?: AbortSignal }): VmWaiter {
    return new VmWaiter(this.provider, LABELS, { ...options, now: this.now, sleep: this.sleep });
  }
}

/** Lets every pending promise callback run (the simulated sleeps never wait for a timer). */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const every = (step: number, from: number, to: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

// No real waiting here: a test that needs more than a few seconds hangs.
describe('VmWaiter on a simulated clock', { timeout: 5_000 }, () => {
  it('waits for 10 VMs with one list call per interval for all of them, and one GET per VM once started', async () => {
    const cloud = new SimulatedCloud();
    // vm-1 starts at 250 ms, vm-10 at 1150 ms: polls at 0, 100, ..., vm-10 is seen at the poll of 1200.
    const ids = Array.from({ length: 10 }, (_, i) => `vm-${i + 1}`);
    ids.forEach((id, i) => cloud.add(id, 250 + 100 * i));
    const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
    const first = waiter.waitFor('vm-1');
    expect(waiter.waitFor('vm-1')).toBe(first); // a second workspace on the same VM shares the wait
    const results = await Promise.all([first, ...ids.slice(1).map((id) => waiter.waitFor(id))]);

    expect(results.map((vm) => [vm.id, vm.state, vm.ip !== undefined])).toEqual(ids.map((id) => [id, 'started', true]));
    expect(cloud.lists).toEqual(every(100, 0, 1200)); // 13 polls: exactly one per interval, not one per VM
    expect(cloud.sleeps).toEqual(Array(12).fill(100));
    // each VM's address is fetched once, at the first poll that lists it started
    expect(cloud.gets).toEqual(ids.map((id, i) => [id, 300 + 100 * i]));
    await settle();
    expect(cloud.lists).toHaveLength(13); // nothing waits any more: the polling has stopped
  });

  it("waits for VMs to be stopped by the same list calls, without GETs (a stopped VM's address is not needed)", async () => {
    const cloud = new SimulatedCloud();
    cloud.add('a', 250, 'stopped');
    cloud.add('b', 450, 'stopped');
    const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
    const [a, b] = await Promise.all([waiter.waitFor('a', 'stopped'), waiter.waitFor('b', 'stopped')]);
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    expect(cloud.lists).toEqual(every(100, 0, 500));
    expect(cloud.gets).toEqual([]);
  });

  it('a VM waited for later joins the running polls (no extra list call); after the last one a new wait polls at once', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('early', 850);
    cloud.add('late', 650);
    const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
    let late: Promise<Vm> | undefined;
    cloud.when(500, () => {
      late = waiter.waitFor('late');
    });
    const early = waiter.waitFor('early');
    // 'late' starts waiting at 500 while the polls for 'early' run: it is settled by the same list calls
    expect((await early).id).toBe('early');
    expect((await late!).id).toBe('late');
    expect(cloud.lists).toEqual(every(100, 0, 900));
    expect(cloud.gets).toEqual([['late', 700], ['early', 900]]);

    cloud.add('again', 0);
    await waiter.waitFor('again');
    expect(cloud.lists).toEqual([...every(100, 0, 900), 900]); // a new loop: its first poll without a sleep
    expect(cloud.sleeps).toHaveLength(9);
  });

  it('a wait that starts just as the polling stops is not lost, whichever microtask it starts in', async () => {
    for (let ticks = 0; ticks < 8; ticks += 1) {
      const cloud = new SimulatedCloud();
      cloud.add('first', 100);
      cloud.add('second', 0);
      const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
      await waiter.waitFor('first'); // settled by the poll at 100, the loop's last
      for (let i = 0; i < ticks; i += 1) await Promise.resolve();
      const lost = new Promise((_, reject) => setTimeout(() => reject(new Error(`the wait started ${ticks} microtask(s) later never settled`)), 1000));
      await expect(Promise.race([waiter.waitFor('second'), lost])).resolves.toMatchObject({ id: 'second', state: 'started' });
      // one more list call: by the loop it still joined (at the next interval) or by a new one (at once)
      expect(cloud.lists).toHaveLength(3);
      expect([100, 200]).toContain(cloud.lists[2]);
    }
  });

  it('gives up on a VM that does not start in time, naming its last state, at the first poll after the deadline', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('slow-1', Infinity);
    const waiter = cloud.waiter({ intervalMs: 1000, timeoutMs: 3000 });
    const error = await waiter.waitFor('slow-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toBe('VM slow-1 was not started after 3 s (last state: maintenance)');
    // deadline 3000: the poll at 3000 is not past it, the one at 4000 is
    expect(cloud.lists).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(cloud.gets).toEqual([]);
  });

  it('a VM in state error fails at the first poll that shows it; the others go on waiting', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('broken', 200, 'error');
    cloud.add('fine', 400);
    const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
    const [broken, fine] = await Promise.allSettled([waiter.waitFor('broken'), waiter.waitFor('fine')]);
    expect(broken).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'VM broken is in state error at the provider' }) });
    expect(fine).toMatchObject({ status: 'fulfilled', value: expect.objectContaining({ id: 'fine', state: 'started' }) });
    expect(cloud.lists).toEqual(every(100, 0, 400));
    expect(cloud.gets).toEqual([['fine', 400]]);
  });

  it('a failed list call is retried at the next interval, not sooner', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('vm-1', 0);
    cloud.listFailures.push(new ProviderError('502 from the API'), new ProviderError('502 again'));
    const vm = await cloud.waiter({ intervalMs: 250, timeoutMs: 10_000 }).waitFor('vm-1');
    expect(vm.state).toBe('started');
    expect(cloud.lists).toEqual([0, 250, 500]);
  });

  it('an abort during the wait rejects every waiter with CancelledError and stops polling', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('a', Infinity);
    cloud.add('b', Infinity);
    const controller = new AbortController();
    cloud.when(300, () => controller.abort());
    const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000, signal: controller.signal });
    const results = await Promise.allSettled([waiter.waitFor('a'), waiter.waitFor('b')]);
    expect(results.map((r) => r.status === 'rejected' && r.reason instanceof CancelledError)).toEqual([true, true]);
    expect(cloud.lists).toEqual([0, 100, 200]);
    await settle();
    expect(cloud.lists).toHaveLength(3);
  });
});

describe('VmWaiter against the emulator (the real UpCloud client)', () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
  });

  it('one list call per interval for 10 VMs, then one GET per VM for its address', async () => {
    emulator = await startEmulator({ bootDelayMs: 300 });
    const provider = new UpcloudProvider({
      config: { type: 'upcloud', zone: 'us-nyc1', plan: '1xCPU-1GB', storage_template: DEFAULT_STORAGE_TEMPLATE, api_url: emulator.apiUrl },
      apiUrl: emulator.apiUrl,
      credentials: { kind: 'basic', username: emulator.username, password: new Secret(emulator.password) },
    });
    const vms = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        provider.createVm({
          name: `wait-${i + 1}`,
          sshUser: 'root',
          sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTestsOnly test',
          labels: vmLabels('wait', `wait-${i + 1}`, `r-wait-${i + 1}`),
        }),
      ),
    );
    const before = emulator.stats().requests['GET /1.3/server'] ?? 0;
    // Real time here (the emulator boots on a timer); the count of intervals comes from the waiter's own sleeps.
    let sleeps = 0;
    const waiter = new VmWaiter(provider, LABELS, {
      intervalMs: 50,
      timeoutMs: 30_000,
      sleep: (ms, signal) => {
        sleeps += 1;
        return realSleep(ms, signal);
      },
    });
    const results = await Promise.all([...vms.map((vm) => waiter.waitFor(vm.id)), waiter.waitFor(vms[0]!.id)]);
    expect(results.every((vm) => vm.state === 'started' && vm.ip)).toBe(true);
    expect(results[10]).toEqual(results[0]);
    expect(sleeps).toBeGreaterThan(0);
    expect((emulator.stats().requests['GET /1.3/server'] ?? 0) - before).toBe(sleeps + 1); // one list per interval for all ten
    expect(emulator.stats().requests['GET /1.3/server/{uuid}']).toBe(10); // addresses, once each
  });
});
