import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const SPECIFIER = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)'|import\(\s*'([^']+)'\s*\)/gm;

/** Every module `entry` loads at run time (type-only imports excluded): our files and the packages. */
function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(path.join(SRC, entry));
  return { files, packages };
}

describe('list reads the state only', () => {
  it('loads no network, SSH or locking code', () => {
    const { files, packages } = runtimeGraph('cli/commands/list.ts');
    expect(files.size).toBeGreaterThan(5);
    expect([...packages].filter((name) => ['undici', 'ssh2', 'proper-lockfile', 'node:net', 'node:http', 'node:https'].includes(name))).toEqual([]);
    const relative = [...files].map((file) => path.relative(SRC, file));
    expect(relative.filter((file) => /^(providers|remote)\//.test(file) || file === 'state/store.ts')).toEqual([]);
    expect(relative).toContain('state/read.ts');
  });
});
