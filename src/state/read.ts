import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { formatIssues } from '../config/format-issues.js';
import { StateError } from '../lib/errors.js';
import { StateSchema, type State } from './schema.js';

const ADVICE = 'Fix the file by hand, or move it aside and run `kamal-dev list --rebuild` to rebuild it from the provider.';

/** The first line of a yaml error, without the position we already print. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

/** Parses state file text; a file that is not valid YAML or not of the state's shape is a StateError. */
export function parseState(text: string, file: string): State {
  const doc = parseDocument(text, { uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    throw new StateError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${firstLine(error.message)}`, { hint: ADVICE });
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (toJsError) {
    throw new StateError(`${file}: not valid YAML: ${(toJsError as Error).message}`, { hint: ADVICE });
  }
  const result = StateSchema.safeParse(data, { reportInput: true });
  if (!result.success) throw new StateError(`${file}: not a kamal-dev state file: ${formatIssues(result.error.issues)}`, { hint: ADVICE });
  return result.data;
}

/** The state file's text (undefined when there is none) and its parsed state. No lock is taken. */
export async function readStateFile(file: string): Promise<{ text: string | undefined; state: State }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: undefined, state: { deployments: {} } };
    throw new StateError(`${file}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  return { text, state: parseState(text, file) };
}

/** Reads the state without locking (for read-only commands). A missing file is an empty state. */
export async function readState(file: string): Promise<State> {
  return (await readStateFile(file)).state;
}
