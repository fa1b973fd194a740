import type { z } from 'zod';
import { closest } from '../lib/closest.js';
import { shown } from '../lib/shown.js';

/** `a.b[0].c` for a zod issue path. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** How a wrong value is shown in an error: lists and mappings by kind, strings quoted and cut. */
export function describeReceived(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return shown(input, 40);
  return String(input);
}

/** One line for one issue: `key.path: what was wrong`, with a "did you mean" for unknown keys. */
export function formatIssue(issue: z.core.$ZodIssue, knownKeys: Record<string, readonly string[]> = {}): string {
  const at = keyPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const full = at ? `${at}.${key}` : key;
    const suggestion = closest(key, knownKeys[at] ?? []);
    const hint = suggestion ? ` (did you mean ${at ? `${at}.` : ''}${suggestion}?)` : '';
    return `${full}: unknown key${hint}`;
  }
  const input = (issue as { input?: unknown }).input;
  const isDefault = issue.message.startsWith('Invalid input');
  let message = issue.message;
  if (issue.code === 'invalid_type' && input === undefined) message = `is required (expected ${issue.expected})`;
  else if (issue.code === 'invalid_type' && isDefault) message = `expected ${issue.expected}, got ${describeReceived(input)}`;
  else if (input !== undefined && !message.includes('got ')) message = `${message}, got ${describeReceived(input)}`;
  return `${at || '(root)'}: ${message}`;
}

/** The issue reported: an unknown key explains the other problems of its object (a typo'd key is also a missing one). */
export function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  return [...issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))[0];
}

/** The first issue as one line, with a count of the rest. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], knownKeys: Record<string, readonly string[]> = {}): string {
  const first = firstIssue(issues);
  if (!first) return 'invalid';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${formatIssue(first, knownKeys)}${more}`;
}
