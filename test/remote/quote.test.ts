import { describe, expect, it } from 'vitest';
import { quote, quoteArgv } from '../../src/remote/quote.js';
import { and, or, pipe } from '../../src/remote/script.js';

describe('quote', () => {
  it('leaves safe words bare and single-quotes the rest, escaping embedded single quotes', () => {
    expect(quote('')).toBe("''");
    expect(quote('plain')).toBe('plain');
    expect(quote("it's")).toBe("'it'\\''s'");
    expect(quote('$(rm -rf /) `x` "y" ; | & \n')).toBe("'$(rm -rf /) `x` \"y\" ; | & \n'");
  });

  it('joins quoted words with spaces', () => {
    expect(quoteArgv(['docker', 'run', '--name', 'a b', ''])).toBe("docker run --name 'a b' ''");
    expect(quoteArgv([])).toBe('');
  });
});

describe('and / or / pipe', () => {
  it('compose argvs into one sh -c argv built from quoted words', () => {
    expect(and(['mkdir', '-p', 'a b'], ['touch', "a b/it's"])).toEqual([
      'sh',
      '-c',
      "mkdir -p 'a b' && touch 'a b/it'\\''s'",
    ]);
    expect(or(['test', '-f', 'x'], ['false'])).toEqual(['sh', '-c', 'test -f x || false']);
    expect(pipe(['printf', '%s', 'x'], ['wc', '-c'])).toEqual(['sh', '-c', 'printf %s x | wc -c']);
  });

  it('nest: an inner composition becomes one quoted sh -c word', () => {
    expect(and(pipe(['a'], ['b;c']), ['d'])).toEqual(['sh', '-c', `sh -c 'a | '\\''b;c'\\''' && d`]);
  });

  it('refuse to compose nothing', () => {
    expect(() => and()).toThrow(/zero commands/);
  });
});
