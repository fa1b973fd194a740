import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/default-path.js';
import { invalidDestination } from '../config/destination.js';
import type { LoadedConfig } from '../config/load.js';
import type { LoadedSecrets } from '../config/secrets.js';
import { describeEvent, type LifecycleEvent } from '../deploy/events.js';
import type { IdleSettings } from '../deploy/idle-watcher.js';
import type { Connector, LifecycleDeps, LifecycleSettings } from '../deploy/ports.js';
import { ConfigError, UsageError } from '../lib/errors.js';
import { redact, type Secret } from '../lib/secret.js';
import type { Hooks } from '../project/hooks.js';
import type { Provider } from '../providers/provider.js';
import type { StateAccess } from '../state/access.js';
import { statePath } from '../state/paths.js';
import type { State } from '../state/schema.js';
import { useColour } from '../ui/colour.js';
import type { Io } from '../ui/io.js';
import { Logger } from '../ui/logger.js';
import { createProgress, type Progress, type ProgressMode } from '../ui/progress.js';

export interface GlobalOptions {
  config: string;
  verbose: boolean;
  quiet: boolean;
  color: boolean;
  progress: ProgressMode;
  /** `-d NAME`: config/dev.NAME.yml merged over config/dev.yml, and its own state, secrets and labels. */
  destination: string | undefined;
  /** `-H, --skip-hooks`: the hooks of .kamal/hooks/ are not run. */
  skipHooks: boolean;
}

export interface ContextInit {
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  now?: () => Date;
  /** Adapters a caller (a test) hands in; each one not given is built when first needed. */
  provider?: Provider;
  connector?: Connector;
  state?: StateAccess;
}

export const DEFAULT_DOCKER_INSTALL_URL = 'https://get.docker.com';

/** ~/.ssh/known_hosts, or nothing when there is none. */
function readKnownHosts(home: string | undefined): string {
  try {
    return home ? readFileSync(path.join(home, '.ssh', 'known_hosts'), 'utf8') : '';
  } catch {
    return '';
  }
}

/** Milliseconds from an environment variable, else the default. */
function msFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The idle watcher's power-off command, runner and load threshold (docs/configuration.md#idle-timeout). */
function idleSettings(env: NodeJS.ProcessEnv): IdleSettings {
  const loadMax = Number(env.KAMAL_DEV_IDLE_LOAD_MAX);
  return {
    poweroff: env.KAMAL_DEV_IDLE_POWEROFF || 'systemctl poweroff',
    runner: env.KAMAL_DEV_IDLE_RUNNER === 'loop' ? 'loop' : 'systemd',
    loadMax: env.KAMAL_DEV_IDLE_LOAD_MAX && Number.isFinite(loadMax) && loadMax > 0 ? loadMax : undefined,
  };
}

/**
 * What every command gets: streams, environment, the global options, and a factory of the adapters the
 * lifecycle runs on (provider, SSH connector, state store), each built lazily, so that a command loads only
 * what it uses and a test can hand in fakes.
 */
export class Context {
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  /** The command running (`deploy`, `remove`, …), as the hooks see it. */
  command = '';
  /** The program's command names (set by buildProgram), which aliases may not shadow. */
  commandNames: readonly string[] = [];
  /** The command line as given (commander does not say where `--` was; exec and ssh need it). */
  argv: readonly string[] = [];
  globals: GlobalOptions = { config: DEFAULT_CONFIG_PATH, verbose: false, quiet: false, color: true, progress: 'auto', destination: undefined, skipHooks: false };
  readonly #init: ContextInit;
  #log: Logger | undefined;
  #config: LoadedConfig | undefined;
  #progress: Progress | undefined;
  readonly #secrets: Secret[] = [];

  constructor(init: ContextInit) {
    this.#init = init;
    this.io = init.io;
    this.env = init.env;
    this.cwd = init.cwd;
    this.signal = init.signal;
    this.now = init.now ?? (() => new Date());
  }

  /** Reads the global options of the command about to run; a destination that cannot be one is a usage error. */
  setGlobals(command: Command): void {
    const opts = command.optsWithGlobals<Partial<GlobalOptions>>();
    const problem = opts.destination === undefined ? undefined : invalidDestination(opts.destination);
    if (problem !== undefined) throw new UsageError(problem);
    this.command = command.name();
    const verbose = Boolean(opts.verbose) || (this.env.VERBOSE !== undefined && this.env.VERBOSE !== '' && this.env.VERBOSE !== '0');
    this.globals = {
      config: opts.config ?? DEFAULT_CONFIG_PATH,
      verbose,
      quiet: Boolean(opts.quiet) && !verbose,
      color: opts.color !== false,
      progress: opts.progress ?? 'auto',
      destination: opts.destination,
      skipHooks: Boolean(opts.skipHooks),
    };
    this.#log = undefined;
  }

  get colour(): boolean {
    return useColour(this.io.stderr, this.globals.color, this.env);
  }

  get log(): Logger {
    this.#log ??= new Logger(this.io, this.globals.verbose ? 'verbose' : this.globals.quiet ? 'quiet' : 'normal', this.colour, (text) =>
      this.scrub(text),
    );
    return this.#log;
  }

  /** Registers secret values: from now on they are replaced by [REDACTED] in everything written to stderr. */
  addSecrets(secrets: Iterable<Secret>): void {
    this.#secrets.push(...secrets);
  }

  scrub(text: string): string {
    return redact(text, this.#secrets);
  }

  /** Loads and validates the configuration, once per run (its parser is loaded only by commands that need it). */
  async loadConfig(): Promise<LoadedConfig> {
    if (!this.#config) {
      const { loadConfig } = await import('../config/load.js');
      this.#config = loadConfig(this.globals.config, { cwd: this.cwd, home: this.env.HOME, destination: this.globals.destination, commands: this.commandNames });
    }
    return this.#config;
  }

  /** The state file of this run's destination (commands that read it without loading the config). */
  stateFile(): string {
    return statePath(this.cwd, this.globals.destination);
  }

  /** The hooks of .kamal/hooks/ for this command (none run with --skip-hooks); their output goes to stderr. */
  async hooks(config: LoadedConfig): Promise<Hooks> {
    const { Hooks } = await import('../project/hooks.js');
    return new Hooks({
      root: config.root,
      env: this.env,
      service: config.config.service,
      destination: config.destination,
      command: this.command,
      skip: this.globals.skipHooks,
      now: this.now,
      write: (text) => this.io.stderr.write(this.scrub(text)),
    });
  }

  /** The state without a lock (read-only commands): needs neither the config nor the lock library. */
  async readState(file: string): Promise<State> {
    if (this.#init.state) return this.#init.state.read();
    const { readState } = await import('../state/read.js');
    return readState(file);
  }

  async stateStore(file: string): Promise<StateAccess> {
    if (this.#init.state) return this.#init.state;
    const { StateStore } = await import('../state/store.js');
    return new StateStore(file, { signal: this.signal });
  }

  /** The configured provider, with credentials from the environment or the secrets files (exit 2 without any). */
  async provider(config: LoadedConfig, secrets: LoadedSecrets): Promise<Provider> {
    if (this.#init.provider) return this.#init.provider;
    const { providerDefinition } = await import('../providers/registry.js');
    return providerDefinition(config.config.provider.type).create({
      config: config.config.provider,
      env: this.env,
      secrets: secrets.values,
      pollIntervalMs: this.settings().pollIntervalMs,
      onRequest: (e) => this.log.verbose(`API ${e.method} ${e.path} -> ${e.status ?? 'no answer'} (${Math.round(e.ms)} ms)`),
      onSecret: (secret) => this.addSecrets([secret]),
    });
  }

  /** SSH to the VMs as ssh.user with the key of ssh.key_path (or the agent); ssh2 is loaded only here. */
  async connector(config: LoadedConfig, secrets: LoadedSecrets): Promise<Connector> {
    if (this.#init.connector) return this.#init.connector;
    const [{ sshKeyProblem }, { sshConnector }, { sshTargetsOf }, { knownHostKeys }] = await Promise.all([
      import('../config/load.js'),
      import('./connector.js'),
      import('../providers/registry.js'),
      import('../remote/known-hosts.js'),
    ]);
    const keyProblem = sshKeyProblem(config, this.env.SSH_AUTH_SOCK);
    if (keyProblem !== undefined) throw new ConfigError(keyProblem);
    return sshConnector({
      user: config.config.ssh.user,
      port: config.config.ssh.port,
      targets: sshTargetsOf(config.config.provider),
      knownHosts: (host, port) => knownHostKeys(readKnownHosts(this.env.HOME), host, port),
      privateKeyPath: config.privateKeyPath,
      agent: this.env.SSH_AUTH_SOCK,
      secrets: [...secrets.values.values()],
      onCommand: (command, ms, exitCode) => this.log.verbose(`SSH ${command} -> exit ${exitCode} (${Math.round(ms)} ms)`),
      forwardAgent: config.config.git?.forward_agent === true,
    });
  }

  settings(): LifecycleSettings {
    return {
      dockerInstallUrl: this.env.KAMAL_DEV_DOCKER_INSTALL_URL || DEFAULT_DOCKER_INSTALL_URL,
      pollIntervalMs: msFromEnv(this.env, 'KAMAL_DEV_POLL_INTERVAL_MS', 5_000),
      bootTimeoutMs: msFromEnv(this.env, 'KAMAL_DEV_BOOT_TIMEOUT_MS', 600_000),
      sshTimeoutMs: msFromEnv(this.env, 'KAMAL_DEV_SSH_TIMEOUT_MS', 300_000),
      concurrency: 10,
      idle: idleSettings(this.env),
      // as src/project/features/oci.ts reads it (that module loads undici: not imported here)
      insecureRegistries: (this.env.KAMAL_DEV_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    };
  }

  /** The progress view of this command, on stderr. */
  events(): LifecycleDeps['events'] {
    this.#progress ??= createProgress(this.io, { quiet: this.globals.quiet, clock: this.now, scrub: (text) => this.scrub(text), mode: this.globals.progress });
    const progress = this.#progress;
    return (event: LifecycleEvent) =>
      progress.update({ workspace: event.workspace, text: describeEvent(event), ...(event.type === 'done' ? { outcome: event.outcome } : {}), data: event });
  }

  /** Ends the progress view, before a summary is printed below it. */
  endProgress(): void {
    this.#progress?.done();
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
