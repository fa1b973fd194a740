// `npm run build`: bundles src/ into dist/ with esbuild (docs/architecture.md#start-up). Entry points: main.js
// (what bin/kamal-dev.js loads) and state/store.js (loaded by the state tests' worker processes); every dynamic
// import becomes a chunk of its own, so each command loads only its own code. dist/meta.json maps chunks to sources.
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
rmSync(new URL('dist/', root), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root.pathname,
  entryPoints: { main: 'src/main.ts', 'state/store': 'src/state/store.ts' },
  outdir: 'dist',
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
  // Bundled CommonJS packages (commander, yaml, undici...) call require() for Node's builtins.
  banner: { js: "import { createRequire as __kdCreateRequire } from 'node:module'; const require = __kdCreateRequire(import.meta.url);" },
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(new URL('dist/meta.json', root), JSON.stringify(result.metafile));
