import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { Context, type ContextInit } from './cli/context.js';
import { expandAlias } from './cli/aliases.js';
import { buildProgram } from './cli/program.js';
import { CommandExit, isAppError } from './lib/errors.js';
import { ExitCode } from './lib/exit-codes.js';
import { processIo } from './ui/io.js';

/** Set by the build (scripts/build.mjs); absent when the sources run as they are (tests). */
declare const KAMAL_DEV_VERSION: string | undefined;

function packageVersion(): string {
  if (typeof KAMAL_DEV_VERSION === 'string') return KAMAL_DEV_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function report(ctx: Context, error: unknown): number {
  if (isAppError(error)) {
    ctx.log.error(`ERROR: ${error.message}`);
    if (error.hint) ctx.io.stderr.write(`${error.hint}\n`);
    if (ctx.globals.verbose && error.stack) ctx.io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.log.error(`ERROR: ${message.split('\n')[0]}`);
  if (ctx.globals.verbose && error instanceof Error && error.stack) ctx.io.stderr.write(`${error.stack}\n`);
  else ctx.io.stderr.write('Run again with --verbose for details.\n');
  return ExitCode.failed;
}

/**
 * Runs kamal-dev with `argv` and returns the exit code: the only place errors become exit codes. `init` may
 * hand in the streams, environment, clock and any of the adapters (provider, SSH connector, state store).
 */
export async function main(argv: readonly string[], init: Partial<ContextInit> = {}): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    process.stderr.write('\nInterrupted: finishing what is under way and recording it (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  if (!init.signal) process.on('SIGINT', onSigint);
  // A closed pipe (`kamal-dev list | head`) is the reader's choice, not an error.
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    throw error;
  };
  const ctx = new Context({
    ...init,
    io: init.io ?? processIo((stdout) => stdout.on('error', onStdoutError)),
    env: init.env ?? process.env,
    cwd: init.cwd ?? process.cwd(),
    signal: init.signal ?? controller.signal,
  });
  ctx.argv = argv;
  try {
    const program = buildProgram(ctx, packageVersion(), argv);
    await program.parseAsync([...(await expandAlias(ctx, program, argv))]);
    return ctx.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (error instanceof CommandExit) return error.code;
    return report(ctx, error);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
