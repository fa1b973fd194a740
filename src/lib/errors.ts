import { ExitCode, type ExitCodeValue } from './exit-codes.js';

type ErrorOptions = { hint?: string; cause?: unknown };

/** Base of every error kamal-dev reports: a one-line message, an exit code and an optional hint line. */
export class AppError extends Error {
  override name = 'AppError';
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCodeValue, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Invalid configuration, devcontainer.json or secrets file. Nothing was changed. */
export class ConfigError extends AppError {
  override name = 'ConfigError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** Invalid command-line usage, or a question that needs a TTY or a flag. */
export class UsageError extends AppError {
  override name = 'UsageError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** No provider credentials at all (as opposed to wrong or half-set ones): a dry run then simply shows no cost. */
export class CredentialsMissingError extends ConfigError {
  override name = 'CredentialsMissingError';
}

/** The provider rejected the credentials. */
export class AuthError extends AppError {
  override name = 'AuthError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.auth, options);
  }
}

/** The state lock is held by another process. */
export class LockHeldError extends AppError {
  override name = 'LockHeldError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.lockHeld, options);
  }
}

/** The state file exists but cannot be read as a kamal-dev state: it is never overwritten. */
export class StateError extends AppError {
  override name = 'StateError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.failed, options);
  }
}

/** A provider API call failed (other than authentication). */
export class ProviderError extends AppError {
  override name = 'ProviderError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  constructor(message: string, details: { status?: number; code?: string } & ErrorOptions = {}) {
    super(message, ExitCode.failed, details);
    this.status = details.status;
    this.code = details.code;
  }
}

/** Docker's CLI ends an error with a pointer to --help ("Run 'docker run --help' for more information", "See 'docker run --help'."). */
const HELP_POINTER = /^(Run '[^']*--help' for more information|See '[^']*--help'\.)$/;

/** The line of stderr that says what went wrong: the last one, past any closing pointer to --help. */
function reasonLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.filter((line) => !HELP_POINTER.test(line)).at(-1) ?? lines.at(-1) ?? '';
}

/** A remote command exited non-zero. `command` is already redacted. */
export class RemoteCommandError extends AppError {
  override name = 'RemoteCommandError';
  readonly host: string;
  readonly command: string;
  readonly remoteExitCode: number;
  readonly stderrTail: string;
  constructor(host: string, command: string, remoteExitCode: number, stderrTail: string, options: ErrorOptions = {}) {
    const tail = reasonLine(stderrTail);
    super(`${host}: \`${command}\` exited with ${remoteExitCode}${tail ? `: ${tail}` : ''}`, ExitCode.failed, options);
    this.host = host;
    this.command = command;
    this.remoteExitCode = remoteExitCode;
    this.stderrTail = stderrTail;
  }
}

/** Could not connect, authenticate or keep a connection to a host. */
export class ConnectionError extends AppError {
  override name = 'ConnectionError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.failed, options);
  }
}

/** A command finished its work but some of it failed (each failure already reported): exit 1. */
export class OperationFailedError extends AppError {
  override name = 'OperationFailedError';
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, ExitCode.failed, options);
  }
}

/** The user interrupted the run (SIGINT) or declined a confirmation. */
export class CancelledError extends AppError {
  override name = 'CancelledError';
  constructor(message = 'interrupted', exitCode: ExitCodeValue = ExitCode.interrupted, options: ErrorOptions = {}) {
    super(message, exitCode, options);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Ends the run with this exit code, even after Ctrl-C: a remote command's own (exec, ssh), or forward's 0. */
export class CommandExit extends Error {
  override name = 'CommandExit';
  constructor(readonly code: number) {
    super(`exited with ${code}`);
  }
}
