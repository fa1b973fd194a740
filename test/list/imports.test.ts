import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
// Static imports only: what a module loads when it is loaded. Dynamic `import()`s (list --rebuild's) load later, on demand.
const SPECIFIER = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm;

/** Every module `entry` loads at run time (type-only imports excluded): our files and the packages. */
function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(path.join(SRC, entry));
  return { files, packages };
}

describe('list reads the state only', () => {
  it('loads no network, SSH or locking code (list --rebuild loads them on demand)', () => {
    const { files, packages } = runtimeGraph('cli/commands/list.ts');
    expect(files.size).toBeGreaterThan(5);
    expect([...packages].filter((name) => ['undici', 'ssh2', 'proper-lockfile', 'node:net', 'node:http', 'node:https'].includes(name))).toEqual([]);
    const relative = [...files].map((file) => path.relative(SRC, file));
    expect(relative.filter((file) => /^(providers|remote)\//.test(file) || file === 'state/store.ts')).toEqual([]);
    expect(relative).toContain('state/read.ts');
    expect(readFileSync(path.join(SRC, 'cli/commands/list.ts'), 'utf8')).toContain("import('../session.js')");
  });
});
