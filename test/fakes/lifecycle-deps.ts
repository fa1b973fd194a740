import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LifecycleEvent } from '../../src/deploy/events.js';
import type { Connector, LifecycleDeps } from '../../src/deploy/ports.js';
import { StateStore } from '../../src/state/store.js';
import type { Entry } from '../../src/state/schema.js';
import { MemoryProvider } from './memory-provider.js';
import { ScriptedExecutor, type Expectation } from './scripted-executor.js';

/**
 * LifecycleDeps for unit tests of the lifecycle: the in-memory provider, a state store on a temporary folder,
 * and a connector that answers every host with a ScriptedExecutor of `script(ip)` (connections recorded).
 */
export function fakeDeps(options: { provider?: MemoryProvider; script?: (ip: string) => Expectation[]; now?: () => Date } = {}) {
  const provider = options.provider ?? new MemoryProvider();
  const hosts = new Map<string, ScriptedExecutor>();
  const connects: Array<{ ip: string; pinned: string | undefined; timeoutMs: number }> = [];
  const connector: Connector = {
    async connect(ip, pinned, { timeoutMs }) {
      connects.push({ ip, pinned, timeoutMs });
      let host = hosts.get(ip);
      if (!host) {
        host = new ScriptedExecutor(ip, options.script?.(ip) ?? []);
        hosts.set(ip, host);
      }
      return { executor: host, hostKey: pinned ?? 'SHA256:fake' };
    },
    async closeAll() {},
  };
  const events: LifecycleEvent[] = [];
  const notices: string[] = [];
  const state = new StateStore(path.join(mkdtempSync(path.join(tmpdir(), 'kamal-dev-deps-')), '.kamal/dev_state.yml'));
  const deps: LifecycleDeps = {
    provider,
    state,
    connector,
    events: (event) => events.push(event),
    notices: { info: (t) => notices.push(t), warn: (t) => notices.push(t), verbose: () => undefined },
    now: options.now ?? (() => new Date()),
    signal: new AbortController().signal,
    settings: { dockerInstallUrl: 'http://example.invalid/docker.sh', pollIntervalMs: 1, bootTimeoutMs: 5_000, sshTimeoutMs: 5_000, concurrency: 10, idle: { poweroff: 'test-poweroff', runner: 'loop', loadMax: undefined } },
  };
  return { deps, provider, hosts, connects, events, notices, state };
}

/** Records entries directly, as a deploy would have left them. */
export async function seedState(state: StateStore, entries: Record<string, Entry>): Promise<void> {
  await state.update((current) => {
    Object.assign(current.deployments, structuredClone(entries));
  });
}
