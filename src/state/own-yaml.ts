/**
 * A reader of the YAML that kamal-dev itself writes (serialize.ts: block mappings two spaces deep, plain or
 * double-quoted keys, double-quoted strings, plain integers, `null`, booleans and plain words such as a status),
 * so that reading a large state does not cost yaml's full parser (docs/architecture.md#start-up). Anything else
 * (comments after values, sequences, flow collections but `{}`, other scalars, anchors, tabs, CR, duplicate keys)
 * is `undefined`: the caller then parses the text with yaml, which decides. test/state/own-yaml.test.ts checks it
 * agrees with yaml.
 */

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ',
  '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The value of a double-quoted scalar that fills `text` exactly, or undefined. */
function doubleQuoted(text: string): string | undefined {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return undefined;
  const inner = text.slice(1, -1);
  if (!inner.includes('\\')) return inner.includes('"') ? undefined : inner;
  let out = '';
  for (let i = 1; i < text.length - 1; i += 1) {
    const ch = text[i]!;
    if (ch === '"') return undefined;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const code = text[i + 1];
    if (code === undefined || i + 1 >= text.length - 1) return undefined;
    const digits = HEX_DIGITS[code];
    if (digits !== undefined) {
      const hex = text.slice(i + 2, i + 2 + digits);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined;
      const point = Number.parseInt(hex, 16);
      if (point > 0x10ffff) return undefined;
      out += String.fromCodePoint(point);
      i += 1 + digits;
    } else {
      const escaped = ESCAPES[code];
      if (escaped === undefined) return undefined;
      out += escaped;
      i += 1;
    }
  }
  return out;
}

const PLAIN_KEY = /^(?:[A-Za-z_][A-Za-z0-9_.-]*|0|[1-9][0-9]{0,14})$/;
const PLAIN_WORD = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const INTEGER = /^(?:0|-?[1-9][0-9]{0,14})$/;
const SPECIAL = new Map<string, unknown>([
  ['null', null], ['Null', null], ['NULL', null], ['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false],
]);

function key(text: string): string | undefined {
  if (text.startsWith('"')) return doubleQuoted(text);
  // a Map, not `in` of an object: `in` looks each new string up in V8's string table (a third of reading a large
  // state), and would take `constructor` and the like of Object.prototype for special words
  if (!PLAIN_KEY.test(text) || SPECIAL.has(text)) return undefined;
  return text;
}

/** A scalar (or `{}`) value, or NOT when it is not one this reader knows. */
const NOT = Symbol('not');
function scalar(text: string): unknown {
  if (text === '{}') return {};
  if (text.startsWith('"')) return doubleQuoted(text) ?? NOT;
  if (SPECIAL.has(text)) return SPECIAL.get(text);
  if (INTEGER.test(text)) return Number(text);
  return PLAIN_WORD.test(text) ? text : NOT;
}

const LINE = /^( *)("(?:[^"\\]|\\.)*"|[^ :"#'][^:#]*?):(?: (.*))?$/;

/** The value of `text` if it is YAML of the form kamal-dev writes; undefined for anything else. */
export function parseOwnYaml(text: string): unknown {
  if (text.includes('\r') || text.includes('\t')) return undefined;
  const root: Record<string, unknown> = {};
  // the mappings open at each depth: stack[d] is the one whose keys are indented 2*d spaces
  const stack: Array<Record<string, unknown>> = [root];
  let awaiting: { parent: Record<string, unknown>; key: string } | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = LINE.exec(line);
    if (!match) return undefined;
    const indent = match[1]!.length;
    if (indent % 2 !== 0) return undefined;
    const depth = indent / 2;
    if (awaiting) {
      // the key before had no value: its mapping starts here, one level deeper, or it was null
      if (depth === stack.length) {
        const child: Record<string, unknown> = {};
        awaiting.parent[awaiting.key] = child;
        stack.push(child);
      } else awaiting.parent[awaiting.key] = null;
      awaiting = undefined;
    }
    if (depth >= stack.length) return undefined;
    stack.length = depth + 1;
    const parent = stack[depth]!;
    const name = key(match[2]!);
    if (name === undefined || Object.hasOwn(parent, name) || name === '__proto__') return undefined;
    const rest = match[3];
    if (rest === undefined || rest === '') {
      if (rest === '') return undefined;
      awaiting = { parent, key: name };
      parent[name] = null;
      continue;
    }
    const value = scalar(rest);
    if (value === NOT) return undefined;
    parent[name] = value;
  }
  if (awaiting) awaiting.parent[awaiting.key] = null;
  return root;
}
