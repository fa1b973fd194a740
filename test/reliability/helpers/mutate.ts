import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { hugeValues, shellPayloads } from './payloads.js';

export type FileKind = 'dev.yml' | 'devcontainer.json' | 'secrets';
export type Operator = 'truncate' | 'flip-bytes' | 'insert-bytes' | 'drop-line' | 'swap-type' | 'inject-shell' | 'huge-value' | 'deep-nesting';

export interface Mutation {
  operator: Operator;
  /** What was done, for reports (never the whole huge value). */
  detail: string;
  bytes: Buffer;
}

export type Random = () => number;

export function picker(random: Random) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { int, pick };
}

type Path = Array<string | number>;

/** Every path to a value in a parsed document (objects and arrays included, the root excluded). */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function setAt(root: unknown, path: Path, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

const TYPED_VALUES: unknown[] = ['', 'a string', 0, -1, 3.5, true, false, null, [], ['x', 1], {}, { nested: { deeper: 1 } }];

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} chars)` : text;
}

function serialize(kind: FileKind, data: unknown): string {
  return kind === 'dev.yml' ? stringifyYaml(data, { lineWidth: 0 }) : JSON.stringify(data, null, 2);
}

function parseStructured(kind: FileKind, text: string): unknown {
  return kind === 'dev.yml' ? parseYaml(text) : parseJsonc(text, [], { allowTrailingComma: true });
}

/** A structural mutation of dev.yml or devcontainer.json: one value replaced by `make(old)`. */
function replaceValue(kind: FileKind, text: string, random: Random, make: (old: unknown) => unknown, stringsOnly = false): { detail: string; text: string } {
  const { pick } = picker(random);
  const data = parseStructured(kind, text);
  const candidates = paths(data).filter((p) => !stringsOnly || typeof getAt(data, p) === 'string');
  const path = pick(candidates);
  const value = make(getAt(data, path));
  setAt(data, path, value);
  return { detail: `${path.join('.')} = ${describe(value)}`, text: serialize(kind, data) };
}

/** A line of the secrets file rewritten with `value` in one of the quoting styles. */
function replaceSecret(text: string, random: Random, value: string): { detail: string; text: string } {
  const { int, pick } = picker(random);
  const lines = text.split('\n');
  const assignments = lines.map((line, i) => [line, i] as const).filter(([line]) => /^(export\s+)?\w+\s*[=:]/.test(line));
  const [line, index] = pick(assignments);
  const key = /^(?:export\s+)?(\w+)/.exec(line)?.[1] ?? 'KEY';
  // single quotes are literal; `$(` unquoted or in double quotes is Kamal's command substitution, by design
  const quoted = [`'${value.replaceAll("'", '')}'`, `"${value.replaceAll('$(', '\\$(').replaceAll('"', '\\"')}"`, value.replaceAll('$(', '\\$(')];
  const style = int(quoted.length);
  lines[index] = `${key}=${quoted[style]}`;
  return { detail: `${key} = ${describe(lines[index])}`, text: lines.join('\n') };
}

export interface MutateContext {
  kind: FileKind;
  original: string;
  random: Random;
  /** A path a shell payload would create. */
  marker: string;
}

/** One random mutation of `original` with `operator`. */
export function mutate(operator: Operator, ctx: MutateContext): Mutation {
  const { kind, original, random, marker } = ctx;
  const { int, pick } = picker(random);
  const bytes = Buffer.from(original);
  const structured = kind !== 'secrets';
  const done = (detail: string, out: string | Buffer): Mutation => ({ operator, detail, bytes: Buffer.isBuffer(out) ? out : Buffer.from(out) });
  switch (operator) {
    case 'truncate': {
      const at = int(bytes.length);
      return done(`cut at byte ${at} of ${bytes.length}`, bytes.subarray(0, at));
    }
    case 'flip-bytes': {
      const out = Buffer.from(bytes);
      const n = 1 + int(4);
      const where: number[] = [];
      for (let i = 0; i < n; i += 1) {
        const at = int(out.length);
        out[at] = (out[at] as number) ^ (1 + int(255));
        where.push(at);
      }
      return done(`flipped bytes ${where.join(',')}`, out);
    }
    case 'insert-bytes': {
      const at = int(bytes.length + 1);
      const junk = pick([Buffer.from([0]), Buffer.from([0xff, 0xfe]), Buffer.from('\uFEFF'), Buffer.from('\r'), Buffer.from('\t'), Buffer.from([0xc3]), Buffer.from('{[<&*!|>%@`')]);
      return done(`inserted ${junk.toString('hex')} at ${at}`, Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]));
    }
    case 'drop-line': {
      const lines = original.split('\n');
      const at = int(lines.length);
      return done(`dropped line ${at + 1}: ${describe(lines[at])}`, lines.filter((_, i) => i !== at).join('\n'));
    }
    case 'swap-type': {
      if (!structured) {
        const out = replaceSecret(original, random, pick(['', ' ', '""', "''", '[1, 2]', '{a: 1}', 'true', '-1']));
        return done(out.detail, out.text);
      }
      const out = replaceValue(kind, original, random, (old) => pick(TYPED_VALUES.filter((v) => typeOf(v) !== typeOf(old))));
      return done(out.detail, out.text);
    }
    case 'inject-shell': {
      const payload = pick(shellPayloads(marker));
      const out = !structured
        ? replaceSecret(original, random, payload)
        : replaceValue(kind, original, random, (old) => (int(2) === 0 ? payload : `${String(old)}${payload}`), true);
      return done(out.detail, out.text);
    }
    case 'huge-value': {
      const huge = pick(hugeValues(pick));
      if (!structured) {
        const out = replaceSecret(original, random, typeof huge === 'string' ? huge : JSON.stringify(huge));
        return done(out.detail, out.text);
      }
      const out = replaceValue(kind, original, random, () => huge);
      return done(out.detail, out.text);
    }
    case 'deep-nesting': {
      const depth = pick([1_000, 10_000, 100_000]);
      if (kind === 'dev.yml') return done(`extra: ${depth} nested flow lists`, `${original}\nextra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
      if (kind === 'devcontainer.json') return done(`"deep": a ${depth}-deep array`, original.replace('{', `{"deep": ${'['.repeat(depth)}${']'.repeat(depth)},`));
      return done(`${depth} nested $( in a value`, `${original}\nDEEP="${'$('.repeat(depth)}"\n`);
    }
  }
}

export const OPERATORS: readonly Operator[] = ['truncate', 'flip-bytes', 'insert-bytes', 'drop-line', 'swap-type', 'inject-shell', 'huge-value', 'deep-nesting'];
