import { CancelledError } from '../../src/lib/errors.js';
import type { Argv, ExecResult, Executor, RunOptions } from '../../src/remote/executor.js';
import { quoteArgv } from '../../src/remote/quote.js';

/**
 * An Executor that answers from a script, for unit tests of what runs remote commands. Each expectation matches
 * an argv and gives its result; a command no expectation matches fails the run (and assertDone() later, in case
 * the code under test swallowed that). Every run and upload is recorded, in order.
 *
 *   const host = new ScriptedExecutor('198.51.100.7', [
 *     { argv: ['docker', 'version', '--format', '{{.Server.Version}}'], result: { stdout: '27.3.1\n' } },
 *     { argv: prefix('docker', 'run'), result: { stdout: 'c0ffee\n' } },
 *     { argv: (argv) => argv[0] === 'docker' && argv[1] === 'inspect', result: (argv) => ({ stdout: `${argv.at(-1)}\n` }), times: 'any' },
 *   ]);
 *   ...
 *   host.assertDone();
 */

/** An exact argv, a prefix, or a predicate (with a description for messages). */
export type ArgvMatch = Argv | { prefix: Argv } | { test: (argv: Argv) => boolean; description: string } | ((argv: Argv) => boolean);

/** What a run gives: missing fields are exit 0 and empty output. */
export type Reply = Partial<ExecResult> | ((argv: Argv, options: RunOptions) => Partial<ExecResult> | Promise<Partial<ExecResult>>);

export interface Expectation {
  argv: ArgvMatch;
  result?: Reply;
  /** How many runs it answers: exactly n (default 1), or 'any' number including none. */
  times?: number | 'any';
}

export interface RunRecord {
  argv: string[];
  stdin: string | Buffer | undefined;
  /** Set (true) only for a run that asked for the local SSH agent (RunOptions.forwardAgent). */
  forwardAgent?: true;
}

export interface UploadRecord {
  path: string;
  content: string | Buffer;
  mode: number;
}

export type HistoryEntry = ({ kind: 'run' } & RunRecord) | ({ kind: 'upload' } & UploadRecord);

export interface ScriptedExecutorOptions {
  /** Expectations must be used in script order: a run may skip an expectation only once it has had its runs. */
  ordered?: boolean;
  /** Executor.redact; also applied to the `command` of each result. */
  redact?: (text: string) => string;
}

/** Matches argv starting with these words. */
export function prefix(...words: string[]): { prefix: Argv } {
  return { prefix: words };
}

/** Matches argv for which `test` holds; `description` names it in messages. */
export function matching(description: string, test: (argv: Argv) => boolean): { test: (argv: Argv) => boolean; description: string } {
  return { test, description };
}

interface Entry {
  expectation: Expectation;
  used: number;
}

export class ScriptedExecutor implements Executor {
  /** Every run, in order (including unexpected ones). */
  readonly runs: RunRecord[] = [];
  /** Every upload, in order. */
  readonly uploads: UploadRecord[] = [];
  /** Runs and uploads together, in the order they happened. */
  readonly history: HistoryEntry[] = [];
  /** The error of each run that no expectation matched. */
  readonly unexpected: Error[] = [];
  closed = false;
  readonly redact?: (text: string) => string;

  readonly #entries: Entry[] = [];
  readonly #ordered: boolean;
  readonly #uploadFailures: Error[] = [];

  constructor(
    readonly host: string,
    script: readonly Expectation[] = [],
    options: ScriptedExecutorOptions = {},
  ) {
    this.#ordered = options.ordered ?? false;
    if (options.redact) this.redact = options.redact;
    this.expect(...script);
  }

  /** More expectations, after those already given. */
  expect(...expectations: Expectation[]): this {
    for (const expectation of expectations) {
      const times = expectation.times ?? 1;
      if (times !== 'any' && (!Number.isInteger(times) || times < 1)) throw new Error(`times must be a positive whole number or 'any', got ${times}`);
      this.#entries.push({ expectation, used: 0 });
    }
    return this;
  }

  /** The next upload rejects with `error` (queued), recording nothing. */
  failNextUpload(error: Error): this {
    this.#uploadFailures.push(error);
    return this;
  }

  /** The argv of every run, in order. */
  get argvs(): string[][] {
    return this.runs.map((run) => run.argv);
  }

  async run(argv: Argv, options: RunOptions = {}): Promise<ExecResult> {
    const record: RunRecord = { argv: [...argv], stdin: options.stdin, ...(options.forwardAgent ? { forwardAgent: true as const } : {}) };
    this.runs.push(record);
    this.history.push({ kind: 'run', ...record });
    if (this.closed) throw this.#fail(`${this.#who}: run after close: ${JSON.stringify(argv)}`);
    if (options.signal?.aborted) throw new CancelledError();

    const entry = this.#match(argv);
    if (entry === undefined) {
      const open = this.#entries.filter((e) => !exhausted(e)).map(describeEntry);
      throw this.#fail(`${this.#who}: unexpected command ${JSON.stringify(argv)}; expected ${open.length === 0 ? 'no more commands' : `one of: ${open.join('; ')}`}`);
    }
    entry.used++;
    const reply = entry.expectation.result ?? {};
    const given = typeof reply === 'function' ? await reply(argv, options) : reply;
    const command = quoteArgv(argv);
    const result: ExecResult = { exitCode: 0, stdout: '', stderr: '', ...given, command: given.command ?? this.redact?.(command) ?? command };
    if (result.stdout !== '') options.onOutput?.(result.stdout, 'stdout');
    if (result.stderr !== '') options.onOutput?.(result.stderr, 'stderr');
    return result;
  }

  async upload(path: string, content: string | Buffer, mode: number): Promise<void> {
    if (this.closed) throw new Error(`${this.#who}: upload after close: ${path}`);
    const failure = this.#uploadFailures.shift();
    if (failure !== undefined) throw failure;
    const record: UploadRecord = { path, content: Buffer.isBuffer(content) ? Buffer.from(content) : content, mode };
    this.uploads.push(record);
    this.history.push({ kind: 'upload', ...record });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Fails listing every expectation not used as often as it should be, and every unexpected command. */
  assertDone(): void {
    const problems = this.#entries
      .filter((e) => e.expectation.times !== 'any' && e.used < (e.expectation.times ?? 1))
      .map((e) => `never used: ${describeEntry(e)}`);
    problems.push(...this.unexpected.map((error) => error.message));
    if (problems.length > 0) throw new Error(`${this.#who}: script not done:\n  ${problems.join('\n  ')}`);
  }

  /** The same as assertDone(). */
  verify(): void {
    this.assertDone();
  }

  get #who(): string {
    return `ScriptedExecutor(${this.host})`;
  }

  #fail(message: string): Error {
    const error = new Error(message);
    this.unexpected.push(error);
    return error;
  }

  #match(argv: Argv): Entry | undefined {
    if (!this.#ordered) return this.#entries.find((e) => !exhausted(e) && matches(e.expectation.argv, argv));
    for (const entry of this.#entries) {
      if (!exhausted(entry) && matches(entry.expectation.argv, argv)) return entry;
      if (!satisfied(entry)) return undefined;
    }
    return undefined;
  }
}

function exhausted(entry: Entry): boolean {
  const times = entry.expectation.times ?? 1;
  return times !== 'any' && entry.used >= times;
}

function satisfied(entry: Entry): boolean {
  const times = entry.expectation.times ?? 1;
  return times === 'any' || entry.used >= times;
}

function matches(match: ArgvMatch, argv: Argv): boolean {
  if (typeof match === 'function') return match(argv);
  if ('prefix' in match) return match.prefix.length <= argv.length && match.prefix.every((word, i) => argv[i] === word);
  if ('test' in match) return match.test(argv);
  const exact = match as Argv;
  return exact.length === argv.length && exact.every((word, i) => argv[i] === word);
}

function describeMatch(match: ArgvMatch): string {
  if (typeof match === 'function') return `a command matching ${match.name || 'a predicate'}`;
  if ('prefix' in match) return `${JSON.stringify(match.prefix).slice(0, -1)}, ...]`;
  if ('test' in match) return match.description;
  return JSON.stringify(match);
}

function describeEntry(entry: Entry): string {
  const times = entry.expectation.times ?? 1;
  return `${describeMatch(entry.expectation.argv)} (${times === 'any' ? 'any number of times' : `used ${entry.used} of ${times}`})`;
}
