import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * A V8 code cache for the bundle's files on Node versions without `module.enableCompileCache` (Node 20):
 * compiling dist/ (commander and the commands) is a large part of a short command's start
 * (docs/architecture.md#start-up). Each file is compiled with the code V8 made of it in an earlier run, taken
 * after that run, so it holds the functions the run compiled on the way, not only the top level.
 *
 * An entry is named by the file's content hash (written by the build into dist/hashes.json) and Node's version and
 * architecture: a rebuilt file or another Node finds no entry; V8 rejects data it did not make, or made for other
 * flags; a file whose length differs from the one the build hashed is compiled as usual and not cached. Entries are
 * written at the exit of a successful run to a temporary name and renamed into place (whole or not at all), only
 * for files that had none.
 */

/** `[content hash, length in UTF-16 units]` of each file under dist/, by its path relative to dist/. */
export type BuildHashes = Record<string, readonly [hash: string, length: number]>;

export interface CompileCacheCounts {
  /** files compiled with cached code V8 accepted */
  accepted: number;
  /** files whose entry V8 refused (corrupt, or for other flags): compiled as usual, entry rewritten */
  rejected: number;
  /** files with no entry yet: compiled as usual, entry written at exit */
  missing: number;
}

export interface CompileCache {
  readonly counts: CompileCacheCounts;
  /** Writes the entries of files compiled without one (run at exit); never throws. */
  flush(): void;
  /** Puts Node's own compile back (tests). */
  uninstall(): void;
}

/** The cache folder: $XDG_CACHE_HOME/kamal-dev/v8 or ~/.cache/kamal-dev/v8; none with KAMAL_DEV_COMPILE_CACHE=0. */
export function compileCacheFolder(env: NodeJS.ProcessEnv, home: () => string = homedir): string | undefined {
  if (env.KAMAL_DEV_COMPILE_CACHE === '0') return undefined;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || home(), '.cache');
  return base && path.isAbsolute(base) ? path.join(base, 'kamal-dev', 'v8') : undefined;
}

const STALE_MS = 24 * 3600 * 1000;

const entryName = (hash: string) => `${hash}-${process.version}-${process.arch}.v8`;

interface Fresh {
  script: Script;
  file: string;
}

type Compile = (this: Module, content: string, filename: string) => unknown;

/** Compiles the files under `root` with cached code from `folder`; `hashes` as the build wrote them. */
export function installCompileCache(root: string, folder: string, hashes: BuildHashes): CompileCache {
  const counts: CompileCacheCounts = { accepted: 0, rejected: 0, missing: 0 };
  const fresh: Fresh[] = [];
  const prototype = Module.prototype as unknown as { _compile: Compile };
  const original = prototype._compile;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;

  prototype._compile = function compile(this: Module, content: string, filename: string) {
    const built = filename.startsWith(prefix) ? hashes[filename.slice(prefix.length).split(path.sep).join('/')] : undefined;
    if (!built || built[1] !== content.length) return original.call(this, content, filename);
    const file = path.join(folder, entryName(built[0]));
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new Script(Module.wrap(content), { filename, cachedData });
    if (!cachedData) counts.missing += 1;
    else if (script.cachedDataRejected) counts.rejected += 1;
    else counts.accepted += 1;
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const require = Object.assign((id: string) => this.require(id), {
      resolve: (request: string) => (Module as unknown as { _resolveFilename(r: string, m: Module): string })._resolveFilename(request, this),
      cache: (Module as unknown as { _cache: unknown })._cache,
      main: (process as { mainModule?: Module }).mainModule,
    });
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };

  return {
    counts,
    flush() {
      if (fresh.length === 0) return;
      try {
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        const current = new Set(Object.values(hashes).map(([hash]) => hash));
        for (const name of readdirSync(folder)) {
          // day-old entries of files this build does not have (another install may use newer ones), and temporary files of killed runs
          const entry = path.join(folder, name);
          const unused = name.endsWith('.tmp') || (name.endsWith('.v8') && !current.has(name.split('-')[0]!));
          if (unused && Date.now() - statSync(entry).mtimeMs > STALE_MS) unlinkSync(entry);
        }
        for (const { script, file } of fresh.splice(0)) {
          const temporary = `${file}.${process.pid}.tmp`;
          writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
          renameSync(temporary, file);
        }
      } catch {
        // a cache that cannot be written is no cache: the next run compiles as this one did
      }
    },
    uninstall() {
      prototype._compile = original;
    },
  };
}

/**
 * Turns the cache on for the bundle in `dist` (bin/kamal-dev.js calls it before loading the bundle), writing new
 * entries at the exit of a run that succeeded: a run refused (a bad input) leaves no file behind, not even here.
 * No cache folder or no dist/hashes.json (sources run as they are): nothing is done.
 */
export function cacheCompiledBundle(dist: string, env: NodeJS.ProcessEnv): void {
  const folder = compileCacheFolder(env);
  if (!folder) return;
  let hashes: BuildHashes;
  try {
    hashes = JSON.parse(readFileSync(path.join(dist, 'hashes.json'), 'utf8')) as BuildHashes;
  } catch {
    return;
  }
  const cache = installCompileCache(dist, folder, hashes);
  process.once('exit', (code) => {
    if (code === 0) cache.flush();
  });
}
