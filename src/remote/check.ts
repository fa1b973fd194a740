import { RemoteCommandError } from '../lib/errors.js';
import type { Argv, ExecResult, Executor, RunOptions } from './executor.js';
import { quoteArgv } from './quote.js';

const STDERR_TAIL = 2_000;

/** Runs argv and throws RemoteCommandError (host, redacted command, exit code, end of stderr) unless it exits 0. */
export async function check(executor: Executor, argv: Argv, options?: RunOptions): Promise<ExecResult> {
  const result = await executor.run(argv, options);
  if (result.exitCode !== 0) throw commandError(executor, argv, result);
  return result;
}

/** Runs argv and also keeps stdout and stderr as one text, in the order they came (as a terminal shows them). */
export async function runWithOutput(executor: Executor, argv: Argv, options: Omit<RunOptions, 'onOutput'> = {}): Promise<ExecResult & { output: string }> {
  let output = '';
  const result = await executor.run(argv, { ...options, onOutput: (chunk) => (output += chunk) });
  return { ...result, output };
}

/** The RemoteCommandError of a result that exited non-zero. */
export function commandError(executor: Executor, argv: Argv, result: ExecResult): RemoteCommandError {
  return new RemoteCommandError(
    executor.host,
    result.command ?? quoteArgv(argv),
    result.exitCode,
    (executor.redact?.(result.stderr) ?? result.stderr).slice(-STDERR_TAIL),
  );
}
