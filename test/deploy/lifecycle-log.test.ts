import { describe, expect, it } from 'vitest';
import { lifecycleLogEntry } from '../../src/deploy/lifecycle-log.js';

const AT = new Date('2026-12-01T10:00:00.000Z');

describe('lifecycleLogEntry', () => {
  it('a header line, then the output, ending in exactly one newline', () => {
    expect(lifecycleLogEntry('postCreateCommand', 0, 'one\ntwo', AT)).toBe('=== 2026-12-01T10:00:00.000Z postCreateCommand: exit 0\none\ntwo\n');
    expect(lifecycleLogEntry('build kamal-dev/app:abc', 1, 'failed\n', AT)).toBe('=== 2026-12-01T10:00:00.000Z build kamal-dev/app:abc: exit 1\nfailed\n');
  });

  it('no output: the header alone', () => {
    expect(lifecycleLogEntry('dotfiles https://example.com/d.git', 0, '', AT)).toBe('=== 2026-12-01T10:00:00.000Z dotfiles https://example.com/d.git: exit 0\n');
  });
});
