import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { formatIssues } from '../config/format-issues.js';
import { StateError } from '../lib/errors.js';
import { StateSchema, type State } from './schema.js';

const ADVICE = 'Fix the file by hand, or move it aside and run `kamal-dev list --rebuild` to rebuild it from the provider.';

/** Parses state file text; a file that is not valid YAML or not of the state's shape is a StateError. */
export function parseState(text: string, file: string): State {
  const doc = parseDocument(text, { uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    throw new StateError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${error.message.split('\n')[0]}`, { hint: ADVICE });
  }
  const data: unknown = doc.toJS() ?? {};
  const result = StateSchema.safeParse(data, { reportInput: true });
  if (!result.success) throw new StateError(`${file}: not a kamal-dev state file: ${formatIssues(result.error.issues)}`, { hint: ADVICE });
  return result.data;
}

/** Reads the state without locking (for read-only commands). A missing file is an empty state. */
export async function readState(file: string): Promise<State> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { deployments: {} };
    throw new StateError(`${file}: cannot read: ${(error as Error).message}`);
  }
  return parseState(text, file);
}
