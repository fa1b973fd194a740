import { randomBytes } from 'node:crypto';
import type { Connection, Connector } from '../../src/deploy/ports.js';
import { CancelledError } from '../../src/lib/errors.js';
import { fingerprint, HostKeyCheck } from '../../src/remote/host-key.js';
import type { ScriptedExecutor } from './scripted-executor.js';

/**
 * A Connector for unit tests of the lifecycle: one scripted host per VM address, made on demand by the factory
 * the test passes (so that each host is scripted when the code first reaches it), each with its own host key.
 *
 * Host keys follow the real rule (src/remote/host-key.ts, as src/remote/ssh-executor.ts applies it): the key the
 * host presents is recorded, and a connection whose `pinned` fingerprint differs is refused with the same
 * HostKeyMismatchError (a ConnectionError) and message, naming `<ip>:<port>` and both fingerprints. Nothing
 * runs on a host whose connection was refused.
 *
 * As the real connector does for one kamal-dev run, every connect to an address hands out the same executor;
 * `closeAll()` closes them. A later connect (the next command, in a test that runs several) opens the host
 * again: its script, and whatever the host models, carry on.
 */

/** What the factory makes for an address: anything that has the ScriptedExecutor answering on it. */
export interface ScriptedHost {
  readonly executor: ScriptedExecutor;
}

export interface ConnectRecord {
  ip: string;
  pinned: string | undefined;
  outcome: 'connected' | 'refused' | 'cancelled';
}

export interface FakeConnectorOptions {
  /** The SSH port named in messages (ssh.port); default 22. */
  port?: number;
}

interface HostEntry<H> {
  host: H;
  keyBlob: Buffer;
  connects: number;
  refused: number;
}

export class FakeConnector<H extends ScriptedHost = ScriptedHost> implements Connector {
  /** Every connect, in order, with what became of it. */
  readonly calls: ConnectRecord[] = [];
  /** How many times closeAll() was called. */
  closeAllCalls = 0;

  readonly #factory: (ip: string) => H;
  readonly #port: number;
  readonly #hosts = new Map<string, HostEntry<H>>();

  constructor(factory: (ip: string) => H, options: FakeConnectorOptions = {}) {
    this.#factory = factory;
    this.#port = options.port ?? 22;
  }

  /** The host at `ip`, made by the factory if no connect reached it yet. */
  host(ip: string): H {
    return this.#entry(ip).host;
  }

  /** Whether any connect (or host()) reached `ip`. */
  has(ip: string): boolean {
    return this.#hosts.has(ip);
  }

  /** Every host made so far, by address, in the order they were first reached. */
  hosts(): Map<string, H> {
    return new Map([...this.#hosts].map(([ip, entry]) => [ip, entry.host]));
  }

  /** The `SHA256:...` fingerprint the host at `ip` presents. */
  hostKey(ip: string): string {
    return fingerprint(this.#entry(ip).keyBlob);
  }

  /** The host at `ip` now presents a new key (the VM was rebuilt, or something intercepts); returns its fingerprint. */
  changeHostKey(ip: string): string {
    const entry = this.#entry(ip);
    entry.keyBlob = newKeyBlob();
    return fingerprint(entry.keyBlob);
  }

  /** Connections made to `ip` (refused ones not counted). */
  connects(ip: string): number {
    return this.#hosts.get(ip)?.connects ?? 0;
  }

  /** Connections to `ip` refused for a host key other than the pinned one. */
  refused(ip: string): number {
    return this.#hosts.get(ip)?.refused ?? 0;
  }

  async connect(ip: string, pinned: string | undefined, options: { signal: AbortSignal; timeoutMs: number }): Promise<Connection> {
    if (options.signal.aborted) {
      this.calls.push({ ip, pinned, outcome: 'cancelled' });
      throw new CancelledError();
    }
    const entry = this.#entry(ip);
    const check = new HostKeyCheck(pinned);
    if (!check.verify(entry.keyBlob)) {
      entry.refused++;
      this.calls.push({ ip, pinned, outcome: 'refused' });
      throw check.mismatch(`${ip}:${this.#port}`)!;
    }
    entry.connects++;
    this.calls.push({ ip, pinned, outcome: 'connected' });
    // A connection after closeAll() is a new one to the same host.
    entry.host.executor.closed = false;
    return { executor: entry.host.executor, hostKey: check.seen! };
  }

  async closeAll(): Promise<void> {
    this.closeAllCalls++;
    await Promise.all([...this.#hosts.values()].map((entry) => entry.host.executor.close()));
  }

  /** assertDone() of every host's executor: each script fully used, no unexpected command anywhere. */
  assertAllDone(): void {
    for (const entry of this.#hosts.values()) entry.host.executor.assertDone();
  }

  #entry(ip: string): HostEntry<H> {
    let entry = this.#hosts.get(ip);
    if (entry === undefined) {
      entry = { host: this.#factory(ip), keyBlob: newKeyBlob(), connects: 0, refused: 0 };
      this.#hosts.set(ip, entry);
    }
    return entry;
  }
}

/** A stand-in for an ssh-ed25519 public key blob: what the fingerprint is taken of. */
function newKeyBlob(): Buffer {
  const name = Buffer.from('ssh-ed25519');
  const key = randomBytes(32);
  const length = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([length(name.length), name, length(key.length), key]);
}
