import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { create } from 'tar';
import { ConfigError } from '../lib/errors.js';

/** The build context as the VM gets it: one tar, `.dockerignore` applied, and the hash of what is in it. */
export interface PackedContext {
  tar: Buffer;
  /** The files sent, relative POSIX paths, sorted. */
  files: string[];
  /** sha256 of every file's path, mode and content (the tar's own bytes carry times, which are left out). */
  hash: string;
  /** The Dockerfile's path inside the tar. */
  dockerfile: string;
}

// The package is CommonJS (`module.exports = factory`) while its types declare a default export.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

async function walk(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(path.join(root, dir), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(relative, ...(await walk(root, relative)));
    else out.push(relative);
  }
  return out;
}

/** The paths Docker would send: `.dockerignore`'s patterns (Docker's semantics: `!` exceptions, `**`), but the Dockerfile and .dockerignore always go. */
export async function contextFiles(context: string, dockerfileInContext: string): Promise<string[]> {
  let patterns = '';
  try {
    patterns = await readFile(path.join(context, '.dockerignore'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const ignore = dockerignore({ ignorecase: false }).add(patterns.split(/\r?\n/));
  const keep = new Set([dockerfileInContext, '.dockerignore']);
  const all = await walk(context);
  const kept = all.filter((file) => keep.has(file) || !ignore.ignores(file));
  // A folder is sent only with something in it that is sent: an ignored file inside a kept folder stays out.
  const files: string[] = [];
  for (const file of kept) if (!(await lstat(path.join(context, file))).isDirectory()) files.push(file);
  return files.filter((file) => all.includes(file));
}

/**
 * Packs the context folder for `docker build` on a VM. The Dockerfile must be inside the context (the VM gets the
 * context only); `name` is how messages call devcontainer.json.
 */
export async function packContext(context: string, dockerfile: string, name: string): Promise<PackedContext> {
  const contextStat = await lstat(context).catch(() => undefined);
  if (!contextStat?.isDirectory()) throw new ConfigError(`${name}: build.context: ${context} is not a folder`);
  const dockerfileStat = await lstat(dockerfile).catch(() => undefined);
  if (!dockerfileStat?.isFile()) throw new ConfigError(`${name}: build.dockerfile: ${dockerfile}: no such file`);
  const inContext = path.relative(context, dockerfile).split(path.sep).join('/');
  if (inContext.startsWith('..') || path.isAbsolute(inContext)) {
    throw new ConfigError(`${name}: build.dockerfile: ${dockerfile} is outside the build context ${context}; kamal-dev sends only the context to the VM`);
  }
  const files = await contextFiles(context, inContext);
  const hash = createHash('sha256');
  for (const file of files) {
    const full = path.join(context, file);
    const info = await lstat(full);
    hash.update(`${file}\0${info.mode & 0o777}\0`);
    hash.update(info.isSymbolicLink() ? `link:${file}` : await readFile(full));
    hash.update('\0');
  }
  const chunks: Buffer[] = [];
  const stream = create({ cwd: context, portable: true, noDirRecurse: true }, files);
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { tar: Buffer.concat(chunks), files, hash: hash.digest('hex'), dockerfile: inContext };
}
