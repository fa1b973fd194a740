import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchors(doc: string): Set<string> {
  return new Set([...readFileSync(path.join(ROOT, doc), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe('docs/ is the contract the code cites', () => {
  it('every docs/FILE.md#anchor cited in src/ names a file and a heading that exist', () => {
    const cited = new Set<string>();
    for (const file of files(path.join(ROOT, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/docs\/[a-z-]+\.md(#[a-z0-9-]+)?/g)) cited.add(match[0]);
    }
    expect(cited.size).toBeGreaterThan(5);
    const broken = [...cited].filter((citation) => {
      const [doc, hash] = citation.split('#') as [string, string | undefined];
      try {
        return hash !== undefined && !anchors(doc).has(hash);
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);
  });

  it('no comment in src/ cites the product specification or the design notes by section', () => {
    const offending = files(path.join(ROOT, 'src')).filter((file) => /\b(SPEC|DESIGN)( section| convention|:| §)/.test(readFileSync(file, 'utf8')));
    expect(offending.map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});
