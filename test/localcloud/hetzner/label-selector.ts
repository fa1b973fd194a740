import { ApiError } from '../emulator/http-reply.js';

/**
 * Hetzner's label selector (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`; a comma outside
 * parentheses is AND), with Kubernetes' meaning where Hetzner's documentation says nothing (`k!=v` matches
 * servers without `k`). A malformed selector is 422 `invalid_input`.
 */
export type Matcher = (labels: Record<string, string>) => boolean;

function invalid(selector: string): ApiError {
  return new ApiError(422, 'invalid_input', `invalid label_selector: ${selector}`);
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function term(text: string, selector: string): Matcher {
  let m = /^([^\s=!(),]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(text);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = list.split(',').map((v) => v.trim());
    return op === 'in' ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!);
  }
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(text);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = /^(!?)([^\s=!(),]+)$/.exec(text);
  if (m) {
    const [, not, key] = m as unknown as [string, string, string];
    return not ? (l) => !(key in l) : (l) => key in l;
  }
  throw invalid(selector);
}

export function parseLabelSelector(selector: string | null): Matcher {
  if (selector === null || selector.trim() === '') return () => true;
  const terms = splitTopLevel(selector).map((t) => term(t, selector));
  return (labels) => terms.every((t) => t(labels));
}
