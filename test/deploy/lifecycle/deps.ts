import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { deploy, type DeployHost, type DeployOutcome } from '../../../src/deploy/deploy.js';
import type { LifecycleEvent, Step } from '../../../src/deploy/events.js';
import type { LifecycleDeps, LifecycleSettings } from '../../../src/deploy/ports.js';
import type { ServicePlan } from '../../../src/deploy/workspace.js';
import type { Argv } from '../../../src/lib/argv.js';
import { WORKSPACE_LABEL } from '../../../src/providers/labels.js';
import type { Vm } from '../../../src/providers/provider.js';
import type { State } from '../../../src/state/schema.js';
import { StateStore } from '../../../src/state/store.js';
import { DockerHost, type DockerHostOptions } from '../../fakes/docker-host.js';
import { FakeConnector } from '../../fakes/fake-connector.js';
import { MemoryProvider } from '../../fakes/memory-provider.js';
import { servicePlan } from '../make-plan.js';

/** The fixed clock of every harness (deployed_at, uptimes). */
export const T0 = new Date('2025-03-01T09:00:00.000Z');
export const SSH_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3yIKkV2xOWn1U8zFv5C6KQFq5wYfFzY9bGZxqg2hYk dev@laptop';
export const SERVICE = 'myapp-dev';
/** The service's scope as the commands hand it over: no destination. */
export const SCOPE = { service: SERVICE, destination: undefined };

/** A devcontainer with a create and a start command, so a deploy runs both lifecycle steps. */
export const DEVCONTAINER = JSON.stringify({
  image: 'ubuntu:24.04',
  remoteUser: 'dev',
  workspaceFolder: '/workspaces/myapp',
  forwardPorts: [3000],
  postCreateCommand: 'npm ci',
  postStartCommand: ['npm', 'run', 'watch'],
});

export function service(options: { spread?: boolean; devcontainer?: string; secrets?: Record<string, string> } = {}): ServicePlan {
  return servicePlan({ devcontainer: options.devcontainer ?? DEVCONTAINER, spread: options.spread ?? true, ...(options.secrets ? { secrets: options.secrets } : {}) });
}

export interface Notes {
  info: string[];
  warn: string[];
  verbose: string[];
}

export interface Session {
  deps: LifecycleDeps;
  store: StateStore;
  events: LifecycleEvent[];
  notices: Notes;
  abort: AbortController;
}

export interface Harness extends Session {
  provider: MemoryProvider;
  connector: FakeConnector<DockerHost>;
  stateFile: string;
  dir: string;
  /** What deps.now() returns; tests move it. */
  clock: { now: Date };
  /** Another command on the same state file, provider and hosts (as a second kamal-dev process would be). */
  session(): Session;
  readState(): Promise<State>;
}

export interface HarnessOptions {
  provider?: MemoryProvider;
  /** Scripts each host when a connect first reaches it; default: nothing scripted (every command unexpected). */
  script?: (host: DockerHost, vm: Vm | undefined) => void;
  host?: DockerHostOptions;
  settings?: Partial<LifecycleSettings>;
}

export const SETTINGS: LifecycleSettings = {
  dockerInstallUrl: 'https://get.docker.com',
  pollIntervalMs: 1,
  bootTimeoutMs: 60_000,
  sshTimeoutMs: 5_000,
  concurrency: 10,
  // The local cloud's stand-in: never a power command of this machine, even in a unit test's text.
  idle: { poweroff: 'localcloud-poweroff', runner: 'loop', loadMax: undefined },
};

/**
 * LifecycleDeps built from the fakes: a MemoryProvider, a FakeConnector of DockerHosts (each scripted by
 * `options.script` when first reached), a real StateStore in a fresh temporary folder (removed after the test),
 * events and notices collected into arrays, a fixed clock.
 */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kamal-dev-lifecycle-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const stateFile = path.join(dir, '.kamal', 'dev_state.yml');
  const provider = options.provider ?? new MemoryProvider();
  const clock = { now: T0 };
  const connector = new FakeConnector<DockerHost>((ip) => {
    const host = new DockerHost(ip, { clock: () => clock.now, ...options.host });
    options.script?.(host, provider.servers().find((vm) => vm.ip === ip));
    return host;
  });
  const settings = { ...SETTINGS, ...options.settings };
  const session = (): Session => {
    const events: LifecycleEvent[] = [];
    const notices: Notes = { info: [], warn: [], verbose: [] };
    const abort = new AbortController();
    const store = new StateStore(stateFile);
    const deps: LifecycleDeps = {
      provider,
      state: store,
      connector,
      events: (event) => events.push(event),
      notices: {
        info: (text) => notices.info.push(text),
        warn: (text) => notices.warn.push(text),
        verbose: (text) => notices.verbose.push(text),
      },
      now: () => clock.now,
      signal: abort.signal,
      settings,
    };
    return { deps, store, events, notices, abort };
  };
  const first = session();
  return { ...first, provider, connector, stateFile, dir, clock, session, readState: () => first.store.read() };
}

/** The workspace a VM was created for (its label), and that workspace's index under the default naming. */
export function workspaceOf(vm: Vm | undefined): { name: string; index: number } {
  const name = vm?.labels[WORKSPACE_LABEL];
  if (name === undefined) throw new Error(`no ${WORKSPACE_LABEL} label on ${JSON.stringify(vm)}`);
  return { name, index: Number(name.slice(name.lastIndexOf('-') + 1)) };
}

export interface LocalRecord {
  questions: string[];
  commands: { argv: Argv; cwd: string }[];
}

/** The machine kamal-dev runs on: every question answered yes, every local command exits 0, no hooks. */
export function localHost(): DeployHost & LocalRecord {
  const questions: string[] = [];
  const commands: { argv: Argv; cwd: string }[] = [];
  return {
    questions,
    commands,
    beforeDeploy: async () => undefined,
    confirm: async (question) => {
      questions.push(question);
      return true;
    },
    runLocal: async (argv, cwd) => {
      commands.push({ argv, cwd });
      return 0;
    },
  };
}

export function runDeploy(session: Pick<Session, 'deps'>, plan: ServicePlan, count: number, host: DeployHost = localHost()): Promise<DeployOutcome> {
  return deploy({ service: plan, count, sshPublicKey: SSH_PUBLIC_KEY, yes: true, skipCostCheck: false }, session.deps, host);
}

/** Each workspace's events in order, as `step` names and `done:<outcome>:<summary>`. */
export function timeline(events: readonly LifecycleEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const event of events) {
    (out[event.workspace] ??= []).push(event.type === 'step' ? event.step : `done:${event.outcome}:${event.summary}`);
  }
  return out;
}

export function steps(events: readonly LifecycleEvent[], workspace: string): Step[] {
  return events.flatMap((e) => (e.type === 'step' && e.workspace === workspace ? [e.step] : []));
}
