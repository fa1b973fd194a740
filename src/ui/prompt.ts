import { createInterface } from 'node:readline/promises';
import { UsageError } from '../lib/errors.js';
import { canPrompt, type Io } from './io.js';

/**
 * Asks a yes/no question on the terminal (default no). Without a terminal it never waits: it fails with
 * exit 2 naming the flag that answers the question.
 */
export async function confirm(io: Io, question: string, flag: string, signal?: AbortSignal): Promise<boolean> {
  if (!canPrompt(io)) {
    throw new UsageError(`${question.replace(/\?$/, '')}: cannot ask without a terminal`, { hint: `Pass ${flag} to answer yes.` });
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `, signal ? { signal } : {});
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
