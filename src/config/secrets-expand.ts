// eslint-disable-next-line no-restricted-imports -- layer violation, fixed by the middle-layer refactor
import { execFile } from 'node:child_process';
import { ConfigError } from '../lib/errors.js';
import { Secret } from '../lib/secret.js';
import type { SecretsEntry } from './secrets-parse.js';

export interface ExpandContext {
  file: string;
  /** Folder the `$(commands)` run in: the project folder. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Keys defined earlier in the same file, already expanded. */
  earlier: ReadonlyMap<string, Secret>;
  signal?: AbortSignal | undefined;
  commandTimeoutMs?: number | undefined;
}

type Fail = (message: string, hint?: string) => never;

/** Ruby dotenv's variable pattern: `$VAR`, `${VAR}`, `\$VAR` escaped; `$(` is left to command substitution. */
const VARIABLE = /(\\)?\$(?!\()\{?([A-Z0-9_]+)?\}?/gi;

/** Dotenv's unescaping: `\X` becomes `X`, except `\$`, which substitution still has to see. */
function unescape(value: string): string {
  return value.replace(/\\([^$])/g, '$1');
}

function expandVariables(value: string, ctx: ExpandContext): string {
  return value.replace(VARIABLE, (match, backslash: string | undefined, name: string | undefined) => {
    if (backslash) return match.slice(1);
    if (name === undefined) return match;
    return ctx.earlier.get(name)?.reveal() ?? ctx.env[name] ?? '';
  });
}

interface Span {
  start: number;
  end: number;
  escaped: boolean;
}

/** Each `$( … )` with balanced parentheses; `\$( … )` is marked escaped (kept literally, without the backslash). */
function commandSpans(value: string, fail: Fail): Span[] {
  const spans: Span[] = [];
  for (let i = value.indexOf('$('); i !== -1; i = value.indexOf('$(', i + 1)) {
    const escaped = i > 0 && value[i - 1] === '\\';
    let depth = 0;
    let end = -1;
    for (let j = i + 1; j < value.length; j++) {
      if (value[j] === '(') depth += 1;
      else if (value[j] === ')' && --depth === 0) {
        end = j + 1;
        break;
      }
    }
    if (end === -1) fail('unterminated $( command substitution');
    spans.push({ start: escaped ? i - 1 : i, end, escaped });
    i = end - 1;
  }
  return spans;
}

/** Runs one `$(command)` through sh without stdin; a failure (exit status, timeout) is an error naming the line. */
function runCommand(command: string, ctx: ExpandContext, fail: Fail): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = {
      cwd: ctx.cwd,
      env: ctx.env as NodeJS.ProcessEnv,
      encoding: 'utf8' as const,
      timeout: ctx.commandTimeoutMs ?? 60_000,
      maxBuffer: 16 * 1024 * 1024,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const child = execFile('sh', ['-c', command], options, (error, stdout) => {
      if (!error) {
        resolve(stdout.replace(/\n$/, ''));
        return;
      }
      const err = error as NodeJS.ErrnoException & { code?: number | string | null; killed?: boolean; signal?: string | null };
      // Never err.message, stdout or stderr: they may hold the command (with variables expanded) or a secret.
      const why = err.killed
        ? 'timed out'
        : typeof err.code === 'number'
          ? `exited with ${err.code}`
          : err.signal
            ? `was killed by ${err.signal}`
            : `could not run (${typeof err.code === 'string' ? err.code : 'unknown error'})`;
      try {
        fail(`$(…) command ${why}`, 'Run the command in a shell from the project folder to see its output.');
      } catch (failure) {
        reject(failure);
      }
    });
    // A command must never wait for a prompt that nobody sees.
    child.stdin?.end();
  });
}

/**
 * Kamal's treatment of one value after dotenv's parse(): single quotes are literal; otherwise `\X` becomes `X`,
 * then `$VAR`/`${VAR}`, then `$(command)` through sh.
 */
export async function expandEntry(entry: SecretsEntry, ctx: ExpandContext): Promise<Secret> {
  const fail: Fail = (message, hint) => {
    throw new ConfigError(`${ctx.file}:${entry.line}: ${entry.key}: ${message}`, hint ? { hint } : {});
  };
  if (entry.quote === "'") return new Secret(entry.value);
  const value = expandVariables(unescape(entry.value), ctx);
  let out = '';
  let last = 0;
  for (const span of commandSpans(value, fail)) {
    out += value.slice(last, span.start);
    out += span.escaped ? value.slice(span.start + 1, span.end) : await runCommand(value.slice(span.start + 2, span.end - 1), ctx, fail);
    last = span.end;
  }
  return new Secret(out + value.slice(last));
}
