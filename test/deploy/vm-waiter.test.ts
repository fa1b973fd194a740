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
    // vm-1 starts at 250 ms, vm-10 at 1150 ms: polls at 100, 200, ..., vm-10 is seen at the poll of 1200.
    const ids = Array.from({ length: 10 }, (_, i) => `vm-${i + 1}`);
    ids.forEach((id, i) => cloud.add(id, 250 + 100 * i));
    const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
    const first = waiter.waitFor('vm-1');
    expect(waiter.waitFor('vm-1')).toBe(first); // a second workspace on the same VM shares the wait
    const results = await Promise.all([first, ...ids.slice(1).map((id) => waiter.waitFor(id))]);

    expect(results.map((vm) => [vm.id, vm.state, vm.ip !== undefined])).toEqual(ids.map((id) => [id, 'started', true]));
    expect(cloud.lists).toEqual(every(100, 100, 1200)); // 12 polls: exactly one per interval, not one per VM
    expect(cloud.sleeps).toEqual(Array(12).fill(100));
    // each VM's address is fetched once, at the first poll that lists it started
    expect(cloud.gets).toEqual(ids.map((id, i) => [id, 300 + 100 * i]));
    await settle();
    expect(cloud.lists).toHaveLength(12); // nothing waits any more: the polling has stopped
  });

  it("waits for VMs to be stopped by the same list calls, without GETs (a stopped VM's address is not needed)", async () => {
    const cloud = new SimulatedCloud();
    cloud.add('a', 250, 'stopped');
    cloud.add('b', 450, 'stopped');
    const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
    const [a, b] = await Promise.all([waiter.waitFor('a', 'stopped'), waiter.waitFor('b', 'stopped')]);
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    expect(cloud.lists).toEqual(every(100, 100, 500));
    expect(cloud.gets).toEqual([]);
  });

  it('a VM waited for later joins the running polls (no extra list call); after the last one a new wait starts a new loop', async () => {
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
    expect(cloud.lists).toEqual(every(100, 100, 900));
    expect(cloud.gets).toEqual([['late', 700], ['early', 900]]);

    cloud.add('again', 0);
    await waiter.waitFor('again');
    expect(cloud.lists).toEqual([...every(100, 100, 900), 1000]); // a new loop: its first look one first-look gap later
    expect(cloud.sleeps).toHaveLength(10);
  });

  it('a wait that starts just as the polling stops is not lost, whichever microtask it starts in', async () => {
    for (let ticks = 0; ticks < 8; ticks += 1) {
      const cloud = new SimulatedCloud();
      cloud.add('first', 150);
      cloud.add('second', 0);
      const waiter = cloud.waiter({ intervalMs: 100, timeoutMs: 10_000 });
      await waiter.waitFor('first'); // settled by the poll at 200, the loop's last
      for (let i = 0; i < ticks; i += 1) await Promise.resolve();
      const lost = new Promise((_, reject) => setTimeout(() => reject(new Error(`the wait started ${ticks} microtask(s) later never settled`)), 1000));
      await expect(Promise.race([waiter.waitFor('second'), lost])).resolves.toMatchObject({ id: 'second', state: 'started' });
      // one more list call, at 300: by the loop it still joined (at the next interval) or by a new one (its first look)
      expect(cloud.lists).toEqual([100, 200, 300]);
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
    expect(cloud.lists).toEqual([1000, 2000, 3000, 4000]);
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
    expect(cloud.lists).toEqual(every(100, 100, 400));
    expect(cloud.gets).toEqual([['fine', 400]]);
  });

  it('a failed list call is retried at the next look, not sooner', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('vm-1', 0);
    cloud.listFailures.push(new ProviderError('502 from the API'), new ProviderError('502 again'));
    const vm = await cloud.waiter({ intervalMs: 250, timeoutMs: 10_000 }).waitFor('vm-1');
    expect(vm.state).toBe('started');
    expect(cloud.lists).toEqual([250, 500, 750]);
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
    expect(cloud.lists).toEqual([100, 200]);
    await settle();
    expect(cloud.lists).toHaveLength(2);
  });
});

/**
 * A clock the test moves by hand: each sleep of the waiter stays pending until `wakeUp()` moves the clock to its
 * end (or its signal aborts it), so a test can start a wait in the middle of a sleep.
 */
class HandClock {
  readonly naps: number[] = [];
  #nap: { until: number; resolve: () => void } | undefined;
  constructor(readonly cloud: SimulatedCloud) {}

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.naps.push(ms);
      this.#nap = { until: this.cloud.time + ms, resolve };
      signal?.addEventListener('abort', () => reject(new CancelledError()), { once: true });
    });

  /** Ends the current sleep at its planned time and lets the poll that follows run. */
  async wakeUp(): Promise<void> {
    await settle();
    const nap = this.#nap!;
    this.#nap = undefined;
    this.cloud.time = nap.until;
    nap.resolve();
    await settle();
  }
}

describe('VmWaiter: the first look soon, then backing off to the interval', { timeout: 5_000 }, () => {
  it('looks at a VM 1 s after its wait starts, then at gaps 1 s longer each up to the interval (1, 3, 6, 10, 15 s)', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('vm-1', 12_000);
    const waiter = new VmWaiter(cloud.provider, LABELS, { intervalMs: 5_000, timeoutMs: 600_000, now: cloud.now, sleep: cloud.sleep });
    await waiter.waitFor('vm-1');
    expect(cloud.lists).toEqual([1_000, 3_000, 6_000, 10_000, 15_000]);
    expect(cloud.sleeps).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(cloud.gets).toEqual([['vm-1', 15_000]]);
  });

  it('a 5 s boot is seen at 6 s with the defaults, by the third list call', async () => {
    const cloud = new SimulatedCloud();
    cloud.add('vm-1', 5_000);
    await new VmWaiter(cloud.provider, LABELS, { intervalMs: 5_000, timeoutMs: 600_000, now: cloud.now, sleep: cloud.sleep }).waitFor('vm-1');
    expect(cloud.lists).toEqual([1_000, 3_000, 6_000]);
  });

  it('VMs whose waits start within 1 s of each other share every list call from the first', async () => {
    const cloud = new SimulatedCloud();
    const clock = new HandClock(cloud);
    const ids = Array.from({ length: 10 }, (_, i) => `vm-${i + 1}`);
    ids.forEach((id) => cloud.add(id, 4_000));
    const waiter = new VmWaiter(cloud.provider, LABELS, { intervalMs: 5_000, timeoutMs: 600_000, now: cloud.now, sleep: clock.sleep });
    // the creates return over 900 ms, as ten parallel creates do
    const waits = ids.map((id, i) => {
      cloud.time = 100 * i;
      return waiter.waitFor(id);
    });
    cloud.time = 900;
    for (let i = 0; i < 3; i += 1) await clock.wakeUp();
    const vms = await Promise.all(waits);
    expect(vms.map((vm) => vm.id)).toEqual(ids);
    expect(cloud.lists).toEqual([1_000, 3_000, 6_000]); // 3 list calls for all ten, not 3 per VM
    expect(clock.naps).toEqual([1_000, 2_000, 3_000]); // the first planned at 0, for vm-1's first look
  });

  it('a wait that starts during a long gap cuts the sleep short: the new VM is looked at 1 s after, still by one list call', async () => {
    const cloud = new SimulatedCloud();
    const clock = new HandClock(cloud);
    cloud.add('slow', Infinity);
    cloud.add('quick', 7_500);
    const waiter = new VmWaiter(cloud.provider, LABELS, { intervalMs: 5_000, timeoutMs: 600_000, now: cloud.now, sleep: clock.sleep });
    void waiter.waitFor('slow').catch(() => undefined);
    for (let i = 0; i < 3; i += 1) await clock.wakeUp(); // looks at 1, 3, 6 s; now asleep until 10 s
    expect(cloud.lists).toEqual([1_000, 3_000, 6_000]);
    cloud.time = 7_000;
    const quick = waiter.waitFor('quick');
    await clock.wakeUp(); // the 4 s nap was cut: a 1 s one, to 8 s
    expect((await quick).id).toBe('quick');
    expect(cloud.lists).toEqual([1_000, 3_000, 6_000, 8_000]);
    expect(clock.naps).toEqual([1_000, 2_000, 3_000, 4_000, 1_000, 2_000]);
    await clock.wakeUp(); // 'slow' keeps its own schedule: next look at 10 s
    expect(cloud.lists).toEqual([1_000, 3_000, 6_000, 8_000, 10_000]);
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
    expect((emulator.stats().requests['GET /1.3/server'] ?? 0) - before).toBe(sleeps); // one list per sleep for all ten
    expect(emulator.stats().requests['GET /1.3/server/{uuid}']).toBe(10); // addresses, once each
  });
});
