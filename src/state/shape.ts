import { describeReceived, keyPath } from '../config/format-issues.js';

/**
 * The subset of JSON Schema that `z.toJSONSchema` makes of the state schema (state-shape.generated.ts), checked
 * without zod so that reading the state (`list`) does not load it. The zod schema stays the one source of truth.
 */
export interface Shape {
  type?: string | readonly string[];
  enum?: readonly unknown[];
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
  if (shape.type === undefined) return true;
  const actual = typeOf(value);
  const wanted = typeof shape.type === 'string' ? [shape.type] : shape.type;
  return wanted.includes(actual) || (actual === 'integer' && wanted.includes('number'));
}

const expected = (shape: Shape) => (typeof shape.type === 'string' ? shape.type : (shape.type ?? []).join(' or '));

/** The first way `value` is not of `shape`, as `key.path: what was wrong`; undefined when it is. */
export function shapeProblem(shape: Shape, value: unknown, path: readonly PropertyKey[] = []): string | undefined {
  const at = keyPath(path) || '(root)';
  if (shape.anyOf) {
    if (shape.anyOf.some((option) => shapeProblem(option, value, path) === undefined)) return undefined;
    return shapeProblem(shape.anyOf[0] ?? {}, value, path);
  }
  if (!hasType(shape, value)) return `${at}: expected ${expected(shape)}, got ${describeReceived(value)}`;
  if (shape.enum && !shape.enum.includes(value)) {
    return `${at}: expected one of ${shape.enum.map((option) => JSON.stringify(option)).join('|')}, got ${describeReceived(value)}`;
  }
  if (typeof value === 'number' && ((shape.minimum !== undefined && value < shape.minimum) || (shape.maximum !== undefined && value > shape.maximum))) {
    return `${at}: out of range, got ${value}`;
  }
  if (typeOf(value) !== 'object') return undefined;
  const object = value as Record<string, unknown>;
  for (const key of shape.required ?? []) {
    if (object[key] === undefined) return `${keyPath([...path, key])}: is required (expected ${expected(shape.properties?.[key] ?? {})})`;
  }
  for (const [key, item] of Object.entries(object)) {
    const declared = shape.properties?.[key];
    const itemShape = declared ?? shape.additionalProperties;
    // an optional property may be undefined; a record's values may not
    if (itemShape === undefined || (declared && item === undefined && !shape.required?.includes(key))) continue;
    const problem = shapeProblem(itemShape, item, [...path, key]);
    if (problem) return problem;
  }
  return undefined;
}
