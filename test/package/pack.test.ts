import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** What the copy of the repository leaves out: installed and built things, and git. */
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'coverage', '.kamal-dev-test']);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell) and collects its output; never rejects on a non-zero exit. */
function run(file: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  // Node's own folder first: the installed bin starts with `#!/usr/bin/env node`.
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { cwd, env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The package as npm would publish it: `npm pack` (whose `prepare` builds dist/), the tarball installed into an
 * empty prefix, and the installed binary run from there. The pack runs in a copy of the repository (sharing its
 * node_modules for the build tools), so it neither uses nor rewrites the working tree's dist/, which other
 * tests' binaries load while this one runs.
 */
describe('the npm package', () => {
  let work: string;
  let bin: string;
  let installed: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'kamal-dev-pack-'));
    const source = path.join(work, 'source');
    cpSync(ROOT, source, {
      recursive: true,
      filter: (from) => {
        const relative = path.relative(ROOT, from);
        return !SKIPPED.has(relative.split(path.sep)[0]!) && !relative.endsWith('.tgz');
      },
    });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');

    const packs = path.join(work, 'packs');
    mkdirSync(packs);
    const pack = await run(npm, ['pack', '--pack-destination', packs], source);
    expect(pack.code, `npm pack failed:\n${pack.stderr}`).toBe(0);
    const tarballs = readdirSync(packs).filter((name) => name.endsWith('.tgz'));
    expect(tarballs).toEqual([`kamal-dev-${VERSION}.tgz`]);

    const prefix = path.join(work, 'prefix');
    mkdirSync(prefix);
    // The registry is asked only for the dependencies; --prefer-offline takes them from npm's cache when it can.
    const install = await run(
      npm,
      ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', path.join(packs, tarballs[0]!)],
      work,
    );
    expect(install.code, `npm install failed:\n${install.stderr}`).toBe(0);
    installed = path.join(prefix, 'node_modules', 'kamal-dev');
    bin = path.join(prefix, 'node_modules', '.bin', 'kamal-dev');
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs a kamal-dev binary whose --version is the package version', async () => {
    expect(existsSync(bin)).toBe(true);
    const result = await run(bin, ['--version'], work, 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(VERSION);
  }, 60_000);

  it('runs --help from the installed package, listing the commands', async () => {
    const result = await run(bin, ['--help'], work, 30_000);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: kamal-dev /);
    for (const command of ['init', 'config', 'deploy', 'list', 'status', 'stop', 'start', 'remove']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  }, 60_000);

  it('ships the built code, the README and the docs it links to, and neither sources nor tests', () => {
    expect(existsSync(path.join(installed, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'README.md'))).toBe(true);
    const readme = readFileSync(path.join(installed, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]!);
    expect(linked.length).toBeGreaterThan(0);
    for (const file of new Set(linked)) expect(existsSync(path.join(installed, file)), file).toBe(true);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
    expect(existsSync(path.join(installed, 'test'))).toBe(false);
  });
});
