import { describe, expect, it } from 'vitest';
import { deletedSince, parseManifest, syncPaths, unpackScript } from '../../src/deploy/content/sync.js';
import { linkTargetProblem, treePathProblem } from '../../src/lib/tree-path.js';
import { isIgnored, parseSyncignore } from '../../src/project/syncignore.js';

describe('paths a sync may write', () => {
  it.each(['a', 'src/main.ts', '.env.example', 'a/b/c.d', '..a', 'a..b/c'])('%s is inside', (p) => expect(treePathProblem(p)).toBeUndefined());

  it.each([
    ['', 'is empty'],
    ['/etc/passwd', 'is an absolute path'],
    ['C:\\x', 'is an absolute path'],
    ['..', 'climbs out of the folder with ..'],
    ['../x', 'climbs out of the folder with ..'],
    ['a/../../x', 'climbs out of the folder with ..'],
    ['a\\..\\x', 'climbs out of the folder with ..'],
    ['a\0b', 'contains a NUL byte'],
  ])('%j %s', (p, problem) => expect(treePathProblem(p)).toBe(problem));

  it('links: inside the tree are fine, absolute or climbing out are not', () => {
    expect(linkTargetProblem('a/link', '../b')).toBeUndefined();
    expect(linkTargetProblem('link', 'src/x')).toBeUndefined();
    expect(linkTargetProblem('link', '/etc/passwd')).toBe('is a link to the absolute path /etc/passwd');
    expect(linkTargetProblem('a/link', '../../x')).toBe('is a link to ../../x, outside the folder');
    expect(linkTargetProblem('link', '..')).toBe('is a link to .., outside the folder');
  });
});

describe('the manifest of the last sync', () => {
  it('what was uploaded before and is gone now is deleted; never a path outside the folder', () => {
    expect(deletedSince(['a', 'b/c', 'd', '../evil', '/abs'], ['a', 'd', 'new'])).toEqual(['b/c']);
    expect(parseManifest('a\0b/c\0')).toEqual(['a', 'b/c']);
    expect(parseManifest('')).toEqual([]);
  });

  it('sync files live beside the env file, outside the workspace folder; the unpack is one sh -c with the paths as arguments', () => {
    expect(syncPaths('/root', 'w-1')).toEqual({ tar: '/root/.kamal-dev/sync/w-1.tar', manifest: '/root/.kamal-dev/sync/w-1.manifest' });
    expect(unpackScript('/root/.kamal-dev/workspaces/w-1', '/root/.kamal-dev/sync/w-1.tar')).toEqual([
      'sh',
      '-c',
      'set -e; mkdir -p "$1"; tar -xf "$2" -C "$1" --no-same-owner; cd "$1"; xargs -0 -r rm -f --; rm -f "$2"',
      'sh',
      '/root/.kamal-dev/workspaces/w-1',
      '/root/.kamal-dev/sync/w-1.tar',
    ]);
  });
});

describe('.kamal/syncignore', () => {
  const rules = parseSyncignore(['# comment', '', '*.log', 'node_modules/', '/build', 'docs/**/*.tmp', '!keep.log', 'cache?'].join('\n'));
  it.each([
    ['x.log', false, true],
    ['a/b/x.log', false, true],
    ['keep.log', false, false],
    ['node_modules', true, true],
    ['a/node_modules', true, true],
    ['node_modules', false, false],
    ['build', true, true],
    ['src/build', true, false],
    ['docs/a/b/c.tmp', false, true],
    ['docs/c.tmp', false, true],
    ['cache1', false, true],
    ['cache12', false, false],
    ['src/main.ts', false, false],
  ])('%s (folder: %s) ignored: %s', (p, isDir, ignored) => expect(isIgnored(rules, p, isDir)).toBe(ignored));
});
