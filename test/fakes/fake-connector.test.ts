import { describe, expect, it } from 'vitest';
import { CancelledError, ConnectionError } from '../../src/lib/errors.js';
import { HostKeyMismatchError } from '../../src/remote/host-key.js';
import { FakeConnector } from './fake-connector.js';
import { ScriptedExecutor } from './scripted-executor.js';

const options = () => ({ signal: new AbortController().signal, timeoutMs: 1000 });

describe('FakeConnector', () => {
  it('makes one scripted host per address on first connect and hands out the same executor on every connect', async () => {
    const made: string[] = [];
    const connector = new FakeConnector((ip) => {
      made.push(ip);
      return { executor: new ScriptedExecutor(ip, [{ argv: ['true'], times: 'any' }]) };
    });
    const a1 = await connector.connect('10.0.0.1', undefined, options());
    const a2 = await connector.connect('10.0.0.1', a1.hostKey, options());
    const b = await connector.connect('10.0.0.2', undefined, options());

    expect(made).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(a2.executor).toBe(a1.executor);
    expect(b.executor).not.toBe(a1.executor);
    expect(a1.hostKey).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(a2.hostKey).toBe(a1.hostKey);
    expect(b.hostKey).not.toBe(a1.hostKey);
    expect(connector.hostKey('10.0.0.1')).toBe(a1.hostKey);
    expect([connector.connects('10.0.0.1'), connector.connects('10.0.0.2'), connector.connects('10.0.0.3')]).toEqual([2, 1, 0]);
    expect([...connector.hosts().keys()]).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('refuses a host key other than the pinned one as ssh-executor does, naming both fingerprints', async () => {
    const connector = new FakeConnector((ip) => ({ executor: new ScriptedExecutor(ip) }), { port: 2222 });
    const { hostKey: pinned } = await connector.connect('10.0.0.1', undefined, options());
    const presented = connector.changeHostKey('10.0.0.1');

    const error = await connector.connect('10.0.0.1', pinned, options()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(`10.0.0.1:2222: host key changed: pinned ${pinned}, server presented ${presented}; refusing to connect`);
    expect((error as HostKeyMismatchError).hint).toMatch(/^If the VM was really rebuilt/);
    expect([connector.connects('10.0.0.1'), connector.refused('10.0.0.1')]).toEqual([1, 1]);
    expect(connector.calls.map((c) => c.outcome)).toEqual(['connected', 'refused']);
    // The new key, pinned, is accepted.
    expect((await connector.connect('10.0.0.1', presented, options())).hostKey).toBe(presented);
  });

  it('an aborted signal is a CancelledError, recorded, making no host', async () => {
    const connector = new FakeConnector((ip) => ({ executor: new ScriptedExecutor(ip) }));
    const abort = new AbortController();
    abort.abort();
    await expect(connector.connect('10.0.0.1', undefined, { signal: abort.signal, timeoutMs: 1 })).rejects.toBeInstanceOf(CancelledError);
    expect(connector.calls).toEqual([{ ip: '10.0.0.1', pinned: undefined, outcome: 'cancelled' }]);
    expect(connector.has('10.0.0.1')).toBe(false);
  });

  it('closeAll() closes every executor; a later connect opens the host again, its script carrying on', async () => {
    const connector = new FakeConnector((ip) => ({ executor: new ScriptedExecutor(ip, [{ argv: ['uptime'], times: 2 }]) }));
    const { executor } = await connector.connect('10.0.0.1', undefined, options());
    await executor.run(['uptime']);
    await connector.closeAll();
    expect(connector.host('10.0.0.1').executor.closed).toBe(true);
    await expect(executor.run(['uptime'])).rejects.toThrow('run after close');

    const again = await connector.connect('10.0.0.1', undefined, options());
    expect(again.executor).toBe(connector.host('10.0.0.1').executor);
    expect(connector.host('10.0.0.1').executor.closed).toBe(false);
    // 'uptime' answered twice in all: the one refused after close counted as unexpected, not as a use.
    await again.executor.run(['uptime']);
    expect(connector.closeAllCalls).toBe(1);
    expect(() => connector.assertAllDone()).toThrow('run after close');
  });
});
