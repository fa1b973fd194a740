import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { compileCacheFolder, installCompileCache, type BuildHashes, type CompileCache } from '../../src/lib/compile-cache.js';

const SOURCE = "'use strict';\nconst helper = require('./helper.js');\nexports.answer = () => helper.twice(21);\n";
const HELPER = "'use strict';\nexports.twice = (n) => n * 2;\n";

describe('the V8 code cache of the bundle', () => {
  let dir: string;
  let dist: string;
  let folder: string;
  let cache: CompileCache | undefined;
  let hashes: BuildHashes;

  let runs = 0;

  /**
   * Loads dist/main.js afresh, as a new run would, through the cache; the module's answer and the counts. Each
   * run loads a copy in a folder of its own: V8 reuses what this process compiled of the same file name and
   * source without looking at cached data.
   */
  function run(): { answer: number; counts: CompileCache['counts'] } {
    cache?.uninstall();
    const copy = path.join(dir, `run-${(runs += 1)}`);
    cpSync(dist, copy, { recursive: true });
    cache = installCompileCache(copy, folder, hashes);
    const answer = (createRequire(path.join(copy, 'main.js'))('./main.js') as { answer(): number }).answer();
    cache.flush();
    return { answer, counts: { ...cache.counts } };
  }

  const entries = () => (existsSync(folder) ? readdirSync(folder).sort() : []);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-compile-cache-'));
    dist = path.join(dir, 'dist');
    folder = path.join(dir, 'cache', 'kamal-dev', 'v8');
    mkdirSync(dist);
    writeFileSync(path.join(dist, 'main.js'), SOURCE);
    writeFileSync(path.join(dist, 'helper.js'), HELPER);
    hashes = { 'main.js': ['aaaa', SOURCE.length], 'helper.js': ['bbbb', HELPER.length] };
  });
  afterEach(() => {
    cache?.uninstall();
    cache = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one entry per file at the first run, named by hash and Node version, 0600, and uses them at the next', () => {
    expect(run()).toEqual({ answer: 42, counts: { accepted: 0, rejected: 0, missing: 2 } });
    const names = entries();
    expect(names).toEqual([`aaaa-${process.version}-${process.arch}.v8`, `bbbb-${process.version}-${process.arch}.v8`]);
    for (const name of names) expect(statSync(path.join(folder, name)).mode & 0o777).toBe(0o600);
    expect(run()).toEqual({ answer: 42, counts: { accepted: 2, rejected: 0, missing: 0 } });
    expect(entries()).toEqual(names);
  });

  it('a corrupt or truncated entry is refused by V8: the file compiles as usual and the entry is rewritten', () => {
    run();
    const main = path.join(folder, `aaaa-${process.version}-${process.arch}.v8`);
    const good = readFileSync(main);
    writeFileSync(main, Buffer.from('not a code cache at all'));
    writeFileSync(path.join(folder, `bbbb-${process.version}-${process.arch}.v8`), readFileSync(path.join(folder, `bbbb-${process.version}-${process.arch}.v8`)).subarray(0, 40));
    expect(run()).toEqual({ answer: 42, counts: { accepted: 0, rejected: 2, missing: 0 } });
    expect(readFileSync(main).length).toBe(good.length);
    expect(run().counts).toEqual({ accepted: 2, rejected: 0, missing: 0 });
  });

  it('a rebuilt file (new hash) finds no entry, and a file changed after the build (other length) is not cached', () => {
    run();
    const changed = SOURCE.replace('21', '2100');
    writeFileSync(path.join(dist, 'main.js'), changed);
    // the build's hash and length no longer describe main.js: compiled as Node would, no entry used or written
    expect(run()).toEqual({ answer: 4200, counts: { accepted: 1, rejected: 0, missing: 0 } });
    hashes = { ...hashes, 'main.js': ['cccc', changed.length] };
    expect(run()).toEqual({ answer: 4200, counts: { accepted: 1, rejected: 0, missing: 1 } });
    expect(entries()).toContain(`cccc-${process.version}-${process.arch}.v8`);
  });

  it('writes through a temporary file renamed into place, and clears day-old entries and temporary files of other builds', () => {
    mkdirSync(folder, { recursive: true });
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    for (const name of ['dead-v20.0.0-x64.v8', `aaaa-${process.version}-${process.arch}.v8.123.tmp`, 'fresh-v20.0.0-x64.v8']) writeFileSync(path.join(folder, name), 'x');
    utimesSync(path.join(folder, 'dead-v20.0.0-x64.v8'), old, old);
    utimesSync(path.join(folder, `aaaa-${process.version}-${process.arch}.v8.123.tmp`), old, old);
    run();
    // no temporary file of this run is left; the other build's recent entry stays (another install may use it)
    expect(entries()).toEqual([`aaaa-${process.version}-${process.arch}.v8`, `bbbb-${process.version}-${process.arch}.v8`, 'fresh-v20.0.0-x64.v8']);
  });

  it('a cache folder that cannot be written is no cache: the run is unaffected', () => {
    mkdirSync(path.dirname(folder), { recursive: true });
    writeFileSync(folder, 'a file where the folder should be');
    expect(run()).toEqual({ answer: 42, counts: { accepted: 0, rejected: 0, missing: 2 } });
    chmodSync(folder, 0o600);
    expect(run().answer).toBe(42);
  });

  it('is kept under XDG_CACHE_HOME or ~/.cache, and off with KAMAL_DEV_COMPILE_CACHE=0', () => {
    expect(compileCacheFolder({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/kamal-dev/v8');
    expect(compileCacheFolder({ HOME: '/home/u' })).toBe('/home/u/.cache/kamal-dev/v8');
    expect(compileCacheFolder({}, () => '/home/p')).toBe('/home/p/.cache/kamal-dev/v8');
    expect(compileCacheFolder({ XDG_CACHE_HOME: 'relative' })).toBeUndefined();
    expect(compileCacheFolder({ HOME: '/home/u', KAMAL_DEV_COMPILE_CACHE: '0' })).toBeUndefined();
  });
});

describe('kamal-dev on Node without module.enableCompileCache', () => {
  it.skipIf('enableCompileCache' in (createRequire(import.meta.url)('node:module') as object))(
    'keeps the bundle\'s compiled code under ~/.cache/kamal-dev/v8 after a run that succeeded, and nothing after one refused',
    async () => {
      const home = mkdtempSync(path.join(tmpdir(), 'kamal-dev-compile-cache-home-'));
      try {
        const folder = path.join(home, '.cache', 'kamal-dev', 'v8');
        const refused = await runCli(['deploy', '--dry-run'], { cwd: home, env: { HOME: home } });
        expect(refused.code).toBe(2);
        expect(existsSync(path.join(home, '.cache'))).toBe(false);
        const first = await runCli(['--version'], { cwd: home, env: { HOME: home } });
        expect(first.code).toBe(0);
        const written = readdirSync(folder);
        expect(written.length).toBeGreaterThan(1);
        expect(written.every((name) => name.endsWith(`-${process.version}-${process.arch}.v8`))).toBe(true);
        const again = await runCli(['--version'], { cwd: home, env: { HOME: home } });
        expect(again.stdout).toBe(first.stdout);
        expect(readdirSync(folder)).toEqual(written);
        const off = mkdtempSync(path.join(tmpdir(), 'kamal-dev-compile-cache-off-'));
        expect((await runCli(['--version'], { cwd: off, env: { HOME: off, KAMAL_DEV_COMPILE_CACHE: '0' } })).code).toBe(0);
        expect(existsSync(path.join(off, '.cache'))).toBe(false);
        rmSync(off, { recursive: true, force: true });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  );
});
