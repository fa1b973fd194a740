import type { CliResult } from '../../helpers/cli.js';

/** How one run of the binary ended, for the bad-input counts. */
export type Verdict = 'accepted' | 'rejected' | 'crash' | 'wrong-exit' | 'hang';

export interface Outcome {
  verdict: Verdict;
  /** The first `ERROR:` line (cut to 200 characters), if any. */
  error: string | undefined;
  errorLength: number;
  /** The ERROR line names a file (dev.yml, devcontainer.json, a secrets file or a path). */
  namesFile: boolean;
}

const STACK_FRAME = /^\s+at\s+(?:.+\(.+:\d+:\d+\)|.+:\d+:\d+|native|<anonymous>)$/m;
/** What main.ts prints for an error that is not one of ours: an unexpected exception reached the top. */
const UNEXPECTED = 'Run again with --verbose for details.';
const UNCAUGHT = /^(?:node:internal|Uncaught|\w*Error: )|FATAL ERROR|Aborted \(core dumped\)/m;

export function classify(result: CliResult): Outcome {
  const errorLine = result.stderr.split('\n').find((line) => line.startsWith('ERROR: '));
  const base = {
    error: errorLine?.slice(0, 200),
    errorLength: errorLine?.length ?? 0,
    namesFile: errorLine !== undefined && /\.ya?ml\b|\.json\b|secrets|\/[\w.-]+/.test(errorLine),
  };
  if (result.signal === 'SIGKILL' && result.code === null) return { verdict: 'hang', ...base };
  if (STACK_FRAME.test(result.stderr) || result.stderr.includes(UNEXPECTED) || UNCAUGHT.test(result.stderr) || result.signal !== null) {
    return { verdict: 'crash', ...base };
  }
  if (result.code === 0) return { verdict: 'accepted', ...base };
  if (result.code === 2) return { verdict: 'rejected', ...base };
  return { verdict: 'wrong-exit', ...base };
}
