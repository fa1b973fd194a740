import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { AppError, ConfigError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';

/** The hooks kamal-dev runs; on disk `.kamal/hooks/dev-NAME`, so that the application's own Kamal hooks beside them never run. */
export type HookName = 'pre-connect' | 'pre-deploy' | 'post-deploy' | 'pre-remove' | 'post-remove';

export const HOOKS_FOLDER = '.kamal/hooks';

/** What a stopped command has (not) done, for the message of a failed hook. */
const CONSEQUENCE: Record<HookName, string> = {
  'pre-connect': 'the command did not run',
  'pre-deploy': 'nothing was created',
  'post-deploy': 'the deploy itself succeeded',
  'pre-remove': 'nothing was removed',
  'post-remove': 'the remove itself succeeded',
};

export interface HookRun {
  /** The workspaces the command acts on. */
  workspaces: readonly string[];
  /** Their VMs' IP addresses, where known. */
  hosts: readonly string[];
}

export interface HooksOptions {
  /** The project folder: hooks live in its `.kamal/hooks/` and run there. */
  root: string;
  /** The user's own environment: the only one hooks see besides their KAMAL_DEV_* variables. */
  env: NodeJS.ProcessEnv;
  service: string;
  destination: string | undefined;
  /** The command running (deploy, remove, …), as KAMAL_DEV_COMMAND. */
  command: string;
  /** -H, --skip-hooks. */
  skip: boolean;
  now: () => Date;
  /** Where a hook's output goes (stderr: stdout is kamal-dev's data). */
  write: (text: string) => void;
}

/** git's user.name in the project folder, else the login name (KAMAL_DEV_PERFORMER). */
function performer(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  const login = () => {
    try {
      return userInfo().username;
    } catch {
      return env.USER ?? env.LOGNAME ?? '';
    }
  };
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.name'], { cwd: root, env, timeout: 5_000, encoding: 'utf8' }, (error, stdout) =>
      resolve(!error && stdout.trim() ? stdout.trim() : login()),
    );
  });
}

/** The hooks of one command run (docs/configuration.md#hooks): checked up front, each run on this machine in the project folder. */
export class Hooks {
  readonly #options: HooksOptions;
  readonly #started: number;

  constructor(options: HooksOptions) {
    this.#options = options;
    this.#started = options.now().getTime();
  }

  /** The hook's path as messages show it. */
  shown(name: HookName): string {
    return `${HOOKS_FOLDER}/dev-${name}`;
  }

  #file(name: HookName): string {
    return path.join(this.#options.root, HOOKS_FOLDER, `dev-${name}`);
  }

  /** Whether the hook is there to run; one that is there but cannot run is an error (exit 2), never skipped. */
  #present(name: HookName): boolean {
    let mode: number;
    try {
      const stat = statSync(this.#file(name));
      if (!stat.isFile()) throw new ConfigError(`${this.shown(name)}: not a file; a hook is an executable file`);
      mode = stat.mode;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new ConfigError(`${this.shown(name)}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if ((mode & 0o111) === 0) {
      throw new ConfigError(`${this.shown(name)}: not executable`, { hint: `Run \`chmod +x ${this.shown(name)}\`, or pass --skip-hooks.` });
    }
    return true;
  }

  /** Checks every hook the command will run before it does anything, so that a bad one stops it with nothing changed. */
  check(names: readonly HookName[]): void {
    if (this.#options.skip) return;
    for (const name of names) this.#present(name);
  }

  /**
   * Runs the hook, if there is one, with the KAMAL_DEV_* variables; a non-zero exit is an error (exit 1) naming
   * the hook. Post hooks also get KAMAL_DEV_RUNTIME, the seconds since the command started.
   */
  async run(name: HookName, run: HookRun): Promise<void> {
    const o = this.#options;
    if (o.skip || !this.#present(name)) return;
    const env: NodeJS.ProcessEnv = {
      ...o.env,
      KAMAL_DEV_RECORDED_AT: o.now().toISOString(),
      KAMAL_DEV_PERFORMER: await performer(o.root, o.env),
      KAMAL_DEV_SERVICE: o.service,
      KAMAL_DEV_WORKSPACES: run.workspaces.join(','),
      KAMAL_DEV_HOSTS: run.hosts.join(','),
      KAMAL_DEV_COMMAND: o.command,
    };
    // Only what this run sets: never a value inherited from the user's environment.
    delete env.KAMAL_DEV_DESTINATION;
    delete env.KAMAL_DEV_RUNTIME;
    if (o.destination !== undefined) env.KAMAL_DEV_DESTINATION = o.destination;
    if (name.startsWith('post-')) env.KAMAL_DEV_RUNTIME = String(Math.round((o.now().getTime() - this.#started) / 1000));
    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: NodeJS.ErrnoException }>((resolve) => {
      const child = spawn(this.#file(name), [], { cwd: o.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk: Buffer) => o.write(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => o.write(chunk.toString()));
      child.on('error', (error) => resolve({ error }));
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    const why = 'error' in outcome ? `could not run (${outcome.error.code ?? outcome.error.message})` : outcome.signal ? `was killed by ${outcome.signal}` : outcome.code === 0 ? undefined : `exited with ${outcome.code}`;
    if (why !== undefined) throw new AppError(`hook ${this.shown(name)} ${why}; ${CONSEQUENCE[name]}`, ExitCode.failed);
  }
}
