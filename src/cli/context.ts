import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/default-path.js';
import type { LoadedConfig } from '../config/load.js';
import { useColour } from '../ui/colour.js';
import type { Io } from '../ui/io.js';
import { redact, type Secret } from '../lib/secret.js';
import { Logger } from '../ui/logger.js';

export interface GlobalOptions {
  config: string;
  verbose: boolean;
  quiet: boolean;
  color: boolean;
}

export interface ContextInit {
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  now?: () => Date;
}

/** What every command gets: streams, environment, the global options and lazily built dependencies. */
export class Context {
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  globals: GlobalOptions = { config: DEFAULT_CONFIG_PATH, verbose: false, quiet: false, color: true };
  /** Set by a command that finished but must exit non-zero (e.g. some workspaces failed). */
  exitCode = 0;
  #log: Logger | undefined;
  #config: LoadedConfig | undefined;
  readonly #secrets: Secret[] = [];

  constructor(init: ContextInit) {
    this.io = init.io;
    this.env = init.env;
    this.cwd = init.cwd;
    this.signal = init.signal;
    this.now = init.now ?? (() => new Date());
  }

  /** Reads the global options of the command about to run. */
  setGlobals(command: Command): void {
    const opts = command.optsWithGlobals<Partial<GlobalOptions>>();
    const verbose = Boolean(opts.verbose) || (this.env.VERBOSE !== undefined && this.env.VERBOSE !== '' && this.env.VERBOSE !== '0');
    this.globals = {
      config: opts.config ?? DEFAULT_CONFIG_PATH,
      verbose,
      quiet: Boolean(opts.quiet) && !verbose,
      color: opts.color !== false,
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
      this.#config = loadConfig(this.globals.config, { cwd: this.cwd, home: this.env.HOME });
    }
    return this.#config;
  }

  /** The configuration `loadConfig()` has loaded. */
  config(): LoadedConfig {
    if (!this.#config) throw new Error('the configuration is used before loadConfig()');
    return this.#config;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
