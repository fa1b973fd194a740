import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';

const CHUNK = 256 * 1024;
/** Writes in flight at once: each waits for its own status, so one at a time leaves the link idle between chunks. */
const WINDOW = 8;
const NO_SUCH_FILE = 2;

/**
 * Writes `content` to `path` so that it is never readable with a wider mode than `mode`: the bytes go to a
 * fresh temporary file created with `mode` (exclusive create, then fchmod to the exact mode before the first
 * write) which is then renamed over `path`. An existing file with a wider mode is replaced, never rewritten.
 * A relative path (or one starting with `~/`) is relative to the SFTP session's start folder, the home folder.
 */
export async function sftpUpload(sftp: SFTPWrapper, path: string, content: Buffer, mode: number): Promise<void> {
  const target = path.startsWith('~/') ? path.slice(2) : path;
  const dir = posix.dirname(target);
  await mkdirP(sftp, dir);
  const temp = posix.join(dir, `.${posix.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await call<Buffer>((cb) => sftp.open(temp, 'wx', { mode }, cb));
  try {
    try {
      await call((cb) => sftp.fchmod(handle, mode, cb));
      let next = 0;
      const writer = async () => {
        while (next < content.length) {
          const offset = next;
          next += CHUNK;
          const length = Math.min(CHUNK, content.length - offset);
          await call((cb) => sftp.write(handle, content, offset, length, offset, cb));
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, writer));
    } finally {
      await call((cb) => sftp.close(handle, cb));
    }
    await replace(sftp, temp, target);
  } catch (error) {
    await call((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
    throw error;
  }
}

/** Atomic rename over an existing file (OpenSSH's posix-rename), else unlink + rename on plain SFTP v3 servers. */
async function replace(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  try {
    await call((cb) => sftp.ext_openssh_rename(from, to, cb));
    return;
  } catch (error) {
    if (!/does not support/.test((error as Error).message)) throw error;
  }
  await call((cb) => sftp.unlink(to, cb)).catch((error: { code?: number }) => {
    if (error.code !== NO_SUCH_FILE) throw error;
  });
  await call((cb) => sftp.rename(from, to, cb));
}

/** `mkdir -p` over SFTP: creates each missing folder of `dir`, tolerating folders created meanwhile. */
async function mkdirP(sftp: SFTPWrapper, dir: string): Promise<void> {
  if (dir === '.' || dir === '/' || dir === '') return;
  const stat = (path: string) => call<Stats>((cb) => sftp.stat(path, cb));
  const existing = await stat(dir).catch((error: { code?: number }) => {
    if (error.code === NO_SUCH_FILE) return undefined;
    throw error;
  });
  if (existing) {
    if (!existing.isDirectory()) throw new Error(`${dir} exists and is not a folder`);
    return;
  }
  await mkdirP(sftp, posix.dirname(dir));
  await call((cb) => sftp.mkdir(dir, cb)).catch(async (error: unknown) => {
    const now = await stat(dir).catch(() => undefined);
    if (!now?.isDirectory()) throw error;
  });
}

/** Adapts one node-style SFTP call to a promise (util.promisify picks the wrong overload of ssh2's methods). */
function call<T = void>(start: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    try {
      start((error, value) => (error ? reject(error) : resolve(value)));
    } catch (error) {
      reject(error);
    }
  });
}
