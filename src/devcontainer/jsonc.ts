import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { ConfigError } from '../lib/errors.js';

const MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'property name expected (in double quotes)',
  ValueExpected: 'value expected',
  ColonExpected: 'colon expected',
  CommaExpected: 'comma expected',
  CloseBraceExpected: 'closing brace expected',
  CloseBracketExpected: 'closing bracket expected',
  EndOfFileExpected: 'end of file expected (text after the closing brace)',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'unterminated /* comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character (control characters must be escaped in strings)',
};

/** `line:col` (both from 1) of an offset in `text`. */
export function lineCol(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      start = i + 1;
    }
  }
  return `${line}:${offset - start + 1}`;
}

export interface JsoncDocument {
  value: unknown;
  /** `line:col` of the value at `path`, or of its nearest parent that exists. */
  locate(path: readonly PropertyKey[]): string;
}

/** Parses JSONC (comments and trailing commas allowed); any other syntax error is reported, never repaired. */
export function parseJsonc(text: string, file: string): JsoncDocument {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const first = errors[0];
  if (first) {
    const code = printParseErrorCode(first.error);
    throw new ConfigError(`${file}:${lineCol(text, first.offset)}: JSON syntax error: ${MESSAGES[code] ?? code}`);
  }
  if (!tree) throw new ConfigError(`${file}:1:1: the file is empty; expected a JSON object with at least "image"`);
  const value: unknown = getNodeValue(tree);
  const locate = (path: readonly PropertyKey[]): string => {
    for (let n = path.length; n >= 0; n--) {
      const node: Node | undefined = findNodeAtLocation(tree, path.slice(0, n) as (string | number)[]);
      if (node) return lineCol(text, node.offset);
    }
    return '1:1';
  };
  return { value, locate };
}
