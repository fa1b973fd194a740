import { ConfigError } from '../lib/errors.js';

/** One assignment of a secrets file, before unescaping and substitution. */
export interface SecretsEntry {
  kind: 'assign';
  key: string;
  /** Line of the key, from 1. */
  line: number;
  /** The value without its quotes. */
  value: string;
  quote: "'" | '"' | undefined;
}

/** A bare `export KEY` line: valid only when KEY was assigned earlier in the same file. */
export interface ExportOnly {
  kind: 'export';
  key: string;
  line: number;
}

const KEY = /[\w.]+/y;
const SPACE = /[ \t]*/y;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

function at(re: RegExp, text: string, pos: number): string {
  re.lastIndex = pos;
  return re.exec(text)?.[0] ?? '';
}

/** Index of the quote that closes the one at `open` (a backslash before it does not close), or -1. */
function closingQuote(text: string, open: number, quote: string): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === quote) i += 1;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/**
 * Splits a secrets file into assignments with the grammar of Ruby dotenv's parser (which Kamal uses):
 * optional `export `, key `[\w.]+`, `=` or `: `, then a single-quoted, double-quoted (may span lines) or
 * unquoted value (up to `#`), then an optional `# comment`. Unlike dotenv, a line it cannot read is an error.
 */
export function scanSecrets(input: string, file: string): (SecretsEntry | ExportOnly)[] {
  const text = input.replace(/\r\n?/g, '\n');
  const out: (SecretsEntry | ExportOnly)[] = [];
  let pos = 0;
  while (pos < text.length) {
    pos += at(/\s*/y, text, pos).length;
    if (pos >= text.length) break;
    const line = lineOf(text, pos);
    const fail = (message: string): never => {
      throw new ConfigError(`${file}:${line}: ${message}`);
    };
    if (text[pos] === '#') {
      pos = text.indexOf('\n', pos) === -1 ? text.length : text.indexOf('\n', pos);
      continue;
    }
    const exported = at(/export[ \t]+/y, text, pos);
    pos += exported.length;
    const key = at(KEY, text, pos);
    if (!key) fail('expected KEY=value (a key of letters, digits, _ and .)');
    pos += key.length;
    pos += at(SPACE, text, pos).length;
    const rest = at(/[^\n]*/y, text, pos);
    if (exported && (rest === '' || rest.startsWith('#'))) {
      out.push({ kind: 'export', key, line });
      pos += rest.length;
      continue;
    }
    if (text[pos] === '=') pos += 1;
    else if (text[pos] === ':' && /[ \t]/.test(text[pos + 1] ?? '')) pos += 2;
    else fail(`${key}: expected = after the key`);
    pos += at(SPACE, text, pos).length;
    const open = text[pos];
    let value: string;
    let quote: SecretsEntry['quote'];
    if (open === "'" || open === '"') {
      const close = closingQuote(text, pos, open);
      if (close === -1) fail(`${key}: unterminated ${open === '"' ? 'double' : 'single'} quote`);
      value = text.slice(pos + 1, close);
      quote = open;
      pos = close + 1;
      const trailing = at(/[ \t]*(#[^\n]*)?/y, text, pos);
      pos += trailing.length;
      if (pos < text.length && text[pos] !== '\n') fail(`${key}: unexpected text after the closing quote`);
    } else {
      const raw = at(/[^#\n]*/y, text, pos);
      value = raw.trim();
      pos += raw.length;
      pos += at(/#[^\n]*/y, text, pos).length;
    }
    out.push({ kind: 'assign', key, line, value, quote });
  }
  return out;
}
