// `npm run build`: bundles src/ into dist/ with esbuild (docs/architecture.md#start-up). Entry points: main.js
// (what bin/kamal-dev.js loads) and state/store.js (loaded by the state tests' worker processes); every dynamic
// import becomes a chunk of its own, so each command loads only its own code. dist/meta.json maps chunks to sources.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // the version printed by --version, without reading package.json at every start
  define: { KAMAL_DEV_VERSION: JSON.stringify(version) },
  plugins: [lazyChildProcess],
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(new URL('dist/meta.json', root), JSON.stringify(result.metafile));
