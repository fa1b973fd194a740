import { readFileSync } from 'node:fs';
import { StateError } from '../lib/errors.js';
import { parseOwnYaml } from './own-yaml.js';
import type { State } from './schema.js';
import { shapeProblem } from './shape.js';
import { STATE_SHAPE } from './state-shape.generated.js';

const ADVICE = 'Fix the file by hand, or move it aside and run `kamal-dev list --rebuild` to rebuild it from the provider.';

/** The first line of a yaml error, without the position we already print. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

/** YAML that kamal-dev did not write (edited by hand, or by another tool): yaml's parser, loaded only then. */
async function parseOtherYaml(text: string, file: string): Promise<unknown> {
  const { parse, YAMLError } = await import('../lib/yaml.js');
  try {
    return parse(text, { uniqueKeys: true, logLevel: 'error' }) ?? {};
  } catch (error) {
    if (!(error instanceof YAMLError)) throw new StateError(`${file}: not valid YAML: ${(error as Error).message}`, { hint: ADVICE });
    const pos = error.linePos?.[0];
    throw new StateError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${firstLine(error.message)}`, { hint: ADVICE });
  }
}

/**
 * Parses state file text; a file that is not valid YAML or not of the state's shape is a StateError. Checked
 * against the shape generated from the zod schema, so reading the state loads neither zod nor, for a file
 * kamal-dev wrote, yaml (docs/architecture.md#start-up).
 */
export async function parseState(text: string, file: string): Promise<State> {
  const data = parseOwnYaml(text) ?? (await parseOtherYaml(text, file));
  const problem = shapeProblem(STATE_SHAPE, data);
  if (problem) throw new StateError(`${file}: not a kamal-dev state file: ${problem}`, { hint: ADVICE });
  const state = data as State & { deployments?: State['deployments'] | null };
  return { ...state, deployments: state.deployments ?? {} };
}

/**
 * The state file's text (undefined when there is none) and its parsed state. No lock is taken. Read at once:
 * node:fs/promises would load Node's readline and streams into every `list` (docs/architecture.md#start-up).
 */
export async function readStateFile(file: string): Promise<{ text: string | undefined; state: State }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: undefined, state: { deployments: {} } };
    throw new StateError(`${file}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  return { text, state: await parseState(text, file) };
}

/** Reads the state without locking (for read-only commands). A missing file is an empty state. */
export async function readState(file: string): Promise<State> {
  return (await readStateFile(file)).state;
}
