import { parse } from 'dotenv';
import { ConfigError } from '../lib/errors.js';

/** One assignment of a secrets file: dotenv's value, before Kamal's unescaping and substitution. */
export interface SecretsEntry {
  kind: 'assign';
  key: string;
  /** Line of the key, from 1. */
  line: number;
  /** The value as dotenv's parse() returns it: quotes removed, `\n` and `\r` expanded in double quotes. */
  value: string;
  quote: "'" | '"' | undefined;
}

/** A bare `export KEY…` line: valid only when each KEY was assigned earlier in the same file. */
export interface ExportOnly {
  kind: 'export';
  keys: string[];
  line: number;
}

// The scan below only finds where each assignment starts and ends, and which quote it has; dotenv reads the value.
// Each pattern sees one line, so `\s` never crosses a line break.
const SKIPPED = /^\s*(?:#.*)?$/;
const HEAD = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=|:\s)\s*(['"`])?/;
const EXPORT_ONLY = /^\s*export((?:\s+[\w.-]+)+)\s*$/;

/** dotenv's quoted-value pattern from the opening quote, then blanks and an optional comment up to the line end. */
function quotedSpan(quote: string, trailing: boolean): RegExp {
  return new RegExp(`${quote}(?:\\\\${quote}|[^${quote}])*${quote}${trailing ? '[^\\S\\n]*(?:#.*)?$' : ''}`, 'my');
}

const QUOTE_NAME = { '"': 'double', "'": 'single' } as const;

/**
 * Splits a secrets file into assignments and hands each one to dotenv's parse(). Unlike dotenv, which skips
 * what it cannot read, a line that is not `KEY=value`, an unterminated quote or text after a closing quote is
 * an error naming the file and line (never the value).
 */
export function scanSecrets(input: string, file: string): (SecretsEntry | ExportOnly)[] {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const out: (SecretsEntry | ExportOnly)[] = [];
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    const start = offset;
    offset += raw.length + 1;
    const fail: (message: string) => never = (message) => {
      throw new ConfigError(`${file}:${line}: ${message}`);
    };
    if (SKIPPED.test(raw)) continue;
    const exported = EXPORT_ONLY.exec(raw);
    if (exported) {
      out.push({ kind: 'export', keys: exported[1]!.trim().split(/\s+/), line });
      continue;
    }
    const head = HEAD.exec(raw);
    if (!head) fail('expected KEY=value (a key of letters, digits, _, . and -)');
    const key = head[1]!;
    const quote = head[2] as SecretsEntry['quote'] | '`';
    if (quote === '`') fail(`${key}: backquotes are not part of Kamal's secrets format; use single or double quotes`);
    if (quote) {
      const open = start + head[0].length - 1;
      const span = quotedSpan(quote, true);
      span.lastIndex = open;
      if (!span.test(text)) {
        const bare = quotedSpan(quote, false);
        bare.lastIndex = open;
        fail(`${key}: ${bare.test(text) ? 'unexpected text after the closing quote' : `unterminated ${QUOTE_NAME[quote]} quote`}`);
      }
      // A double- or single-quoted value may span lines: its entry ends on the closing quote's line.
      for (; offset <= span.lastIndex && i + 1 < lines.length; i++) offset += lines[i + 1]!.length + 1;
    }
    const value = parse(lines.slice(line - 1, i + 1).join('\n'))[key];
    if (value === undefined) fail(`${key}: dotenv could not read this line`);
    out.push({ kind: 'assign', key, line, value, quote });
  }
  return out;
}
