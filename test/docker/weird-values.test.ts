import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quote, quoteArgv } from '../../src/remote/quote.js';
import { plan } from '../deploy/make-plan.js';

const WEIRD = [
  'two words',
  `it's "quoted"`,
  '$HOME and ${HOME} and $(id)',
  '`uname -a`',
  'line one\nline two',
  'naïve — 日本語 🚀',
  'back\\slash; rm -rf / && echo | cat > /tmp/x',
  '',
  '-leading-dash',
  '=starts-with-equals',
  '~/not-home',
  '*glob?[a]',
];

/** Runs a quoted command line through a real sh and returns the argv that sh built from it. */
function shellSplit(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`]);
  return out.toString('utf8').split('\0').slice(0, -1);
}

describe('values with shell metacharacters survive unchanged', () => {
  it('into the docker run argv (no shell interpretation in the builder)', () => {
    const containerEnv = Object.fromEntries(WEIRD.map((value, i) => [`V${i}`, value]));
    const p = plan({
      devcontainer: JSON.stringify({ image: 'alpine:3', containerEnv, runArgs: WEIRD, postCreateCommand: WEIRD[2], remoteEnv: { R: WEIRD[3] } }),
    });
    const env = p.dockerRun.filter((_, i, all) => all[i - 1] === '-e');
    expect(env).toEqual(WEIRD.map((value, i) => `V${i}=${value}`));
    const image = p.dockerRun.indexOf('alpine:3');
    expect(p.dockerRun.slice(image - 2 - WEIRD.length, image - 2)).toEqual(WEIRD);
    expect(p.lifecycle.postCreate[0]![0]!.argv.slice(-3)).toEqual(['/bin/sh', '-c', WEIRD[2]]);
    // remoteEnv reaches docker exec through its env file only, read literally by docker
    expect(p.lifecycle.postCreate[0]![0]!.argv.join(' ')).not.toContain(WEIRD[3]);
    expect(p.remoteEnvFile.content.reveal()).toBe(`R=${WEIRD[3]}\n`);
  });

  it('through quoteArgv and a real sh, back to the same argv', () => {
    const p = plan({ devcontainer: JSON.stringify({ image: 'alpine:3', containerEnv: Object.fromEntries(WEIRD.map((v, i) => [`V${i}`, v])) }) });
    expect(shellSplit(quoteArgv(p.dockerRun))).toEqual([...p.dockerRun]);
    expect(shellSplit(quoteArgv(WEIRD))).toEqual(WEIRD);
  });

  it('quote leaves plain words bare and quotes everything else', () => {
    expect(quote('RAILS_ENV=development')).toBe('RAILS_ENV=development');
    expect(quote('/root/.kamal-dev/env/a.env')).toBe('/root/.kamal-dev/env/a.env');
    expect(quote('')).toBe("''");
    expect(quote("it's")).toBe(`'it'\\''s'`);
    expect(quote('=x')).toBe("'=x'");
    expect(quote('~')).toBe("'~'");
    expect(quoteArgv(['echo', 'a b', '$X'])).toBe(`echo 'a b' '$X'`);
  });
});
