import { describeReceived, keyPath } from '../config/format-issues.js';

/**
 * The subset of JSON Schema that `z.toJSONSchema` makes of the state schema (state-shape.generated.ts), checked
 * without zod so that reading the state (`list`) does not load it. The zod schema stays the one source of truth.
 */
export interface Shape {
  type?: string | readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  anyOf?: readonly Shape[];
  properties?: Readonly<Record<string, Shape>>;
  required?: readonly string[];
  additionalProperties?: Shape;
  propertyNames?: Shape;
  minimum?: number;
  maximum?: number;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(shape: Shape, value: unknown): boolean {
  const wanted = shape.type;
  if (wanted === undefined) return true;
  const actual = typeOf(value);
  const allowed = (type: string) => type === actual || (actual === 'integer' && type === 'number');
  return typeof wanted === 'string' ? allowed(wanted) : wanted.some(allowed);
}

const expected = (shape: Shape) => (typeof shape.type === 'string' ? shape.type : (shape.type ?? []).join(' or '));

interface Problem {
  path: PropertyKey[];
  message: string;
}

/** The first problem, its path built on the way back up (a state of hundreds of entries is checked on every read). */
function check(shape: Shape, value: unknown): Problem | undefined {
  if (shape.anyOf) {
    if (shape.anyOf.some((option) => check(option, value) === undefined)) return undefined;
    return check(shape.anyOf[0] ?? {}, value);
  }
  if (!hasType(shape, value)) return { path: [], message: `expected ${expected(shape)}, got ${describeReceived(value)}` };
  if (shape.const !== undefined && value !== shape.const) {
    return { path: [], message: `expected ${JSON.stringify(shape.const)}, got ${describeReceived(value)}` };
  }
  if (shape.enum && !shape.enum.includes(value)) {
    return { path: [], message: `expected one of ${shape.enum.map((option) => JSON.stringify(option)).join('|')}, got ${describeReceived(value)}` };
  }
  if (typeof value === 'number' && ((shape.minimum !== undefined && value < shape.minimum) || (shape.maximum !== undefined && value > shape.maximum))) {
    return { path: [], message: `out of range, got ${value}` };
  }
  if (typeOf(value) !== 'object') return undefined;
  const object = value as Record<string, unknown>;
  for (const key of shape.required ?? []) {
    if (object[key] === undefined) return { path: [key], message: `is required (expected ${expected(shape.properties?.[key] ?? {})})` };
  }
  for (const key in object) {
    const item = object[key];
    const declared = shape.properties?.[key];
    const itemShape = declared ?? shape.additionalProperties;
    // an optional property may be undefined; a record's values may not
    if (itemShape === undefined || (declared && item === undefined && !shape.required?.includes(key))) continue;
    const problem = check(itemShape, item);
    if (problem) {
      problem.path.unshift(key);
      return problem;
    }
  }
  return undefined;
}

/** The first way `value` is not of `shape`, as `key.path: what was wrong`; undefined when it is. */
export function shapeProblem(shape: Shape, value: unknown): string | undefined {
  const problem = check(shape, value);
  return problem && `${keyPath(problem.path) || '(root)'}: ${problem.message}`;
}
