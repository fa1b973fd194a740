// `npm run build`: bundles src/ into dist/ with esbuild (docs/architecture.md#start-up). Entry points: main.js
// (what bin/kamal-dev.js loads) and state/store.js (loaded by the state tests' worker processes); every dynamic
// import becomes a chunk of its own, so each command loads only its own code. dist/meta.json maps chunks to sources.
//
// dist/hashes.json keys the V8 code cache that bin/kamal-dev.js turns on where Node has no compile cache.
//
// Two passes: esbuild splits code only into ES modules, and Node's ES module loader costs every run more than
// `node -e 0` itself spends on most of its start (its own loader, fs/promises, readline, a URL per module). So
// the split ES modules are written to a scratch folder, then each file is turned into CommonJS (imports become
// require(), dynamic imports a require() on demand) with its source map carried over; dist/package.json says
// `commonjs`, and Node loads the files with its plain require().
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

/**
 * commander requires node:child_process when it loads, for git-style subcommand executables that kamal-dev never
 * uses; child_process pulls in net, dgram and more of Node's own modules. Its only use is `spawn`: loaded then.
 */
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(on) {
    on.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager) || /childProcess\.(?!spawn\()/.test(text)) throw new Error(`${args.path}: not the commander this build knows`);
      return { contents: text.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

const FILE_URL = 'var __kdFileUrl = require("node:url").pathToFileURL(__filename).href;';
const dist = path.join(new URL(root).pathname, 'dist');
const scratch = mkdtempSync(path.join(tmpdir(), 'kamal-dev-build-'));
try {
  const split = await build({
    absWorkingDir: new URL(root).pathname,
    entryPoints: { main: 'src/main.ts', 'state/store': 'src/state/store.ts', 'compile-cache': 'src/lib/compile-cache.ts' },
    outdir: scratch,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // jsonc-parser's UMD build requires its parts by relative paths that a bundle does not have: its ES module build.
    mainFields: ['module', 'main'],
    target: 'node20.18',
    // ssh2 loads its native binding (and cpu-features) at run time: it stays a package of its own.
    external: ['ssh2'],
    // the version printed by --version, without reading package.json at every start
    define: { KAMAL_DEV_VERSION: JSON.stringify(version) },
    plugins: [lazyChildProcess],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  rmSync(dist, { recursive: true, force: true });
  const files = Object.keys(split.metafile.outputs).filter((file) => file.endsWith('.js'));
  await build({
    absWorkingDir: scratch,
    entryPoints: files.map((file) => path.relative(scratch, path.resolve(new URL(root).pathname, file))),
    outdir: dist,
    outbase: '.',
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20.18',
    // `import()` of a chunk becomes `Promise.resolve().then(() => require(chunk))`: no ES module loader.
    supported: { 'dynamic-import': false },
    // ssh-config finds bin/kamal-dev.js from the file it runs in
    define: { 'import.meta.url': '__kdFileUrl' },
    banner: { js: FILE_URL },
    minify: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // the banner only where the file uses it (an empty first line instead keeps the source map's lines)
  for (const file of files) {
    const out = path.join(dist, path.relative(scratch, path.resolve(new URL(root).pathname, file)));
    const text = readFileSync(out, 'utf8');
    if (text.startsWith(FILE_URL) && !text.slice(FILE_URL.length).includes('__kdFileUrl')) writeFileSync(out, text.slice(FILE_URL.length));
  }
  writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  // the keys of the V8 code cache (src/lib/compile-cache.ts): each file's content hash and length
  const hashes = {};
  for (const file of files) {
    const relative = path.relative(scratch, path.resolve(new URL(root).pathname, file));
    const text = readFileSync(path.join(dist, relative), 'utf8');
    hashes[relative.split(path.sep).join('/')] = [createHash('sha256').update(text).digest('hex').slice(0, 32), text.length];
  }
  writeFileSync(path.join(dist, 'hashes.json'), JSON.stringify(hashes));
  // esbuild's map of the first pass, with dist/ paths: which sources and packages each file holds
  const relocated = JSON.stringify(split.metafile).replaceAll(`${path.relative(new URL(root).pathname, scratch)}/`, 'dist/');
  writeFileSync(path.join(dist, 'meta.json'), relocated);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
