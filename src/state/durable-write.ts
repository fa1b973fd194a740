import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';

const TEMP_SUFFIX = '.tmp';
const LEFTOVER = /^(\d+\.[0-9a-f]{8}\.tmp|lock\.broken-\d+-[0-9a-f]{8})$/;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `text` so that a crash at any moment leaves the old or the new content, never a mix:
 * a temporary file in the same folder (mode `mode`), written and fsynced, renamed over `file`, folder fsynced.
 */
export async function writeFileDurably(file: string, text: string, mode = 0o600): Promise<void> {
  const temp = path.join(path.dirname(file), `${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.chmod(mode);
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** Deletes `file` (absent is fine) and makes the deletion durable. */
export async function removeFileDurably(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/**
 * Removes what dead processes left beside `file`: temporary files of writers killed mid-write, and lock
 * directories a lock breaker had moved aside (`<lock>.broken-*`). Call only while holding the file's lock.
 */
export async function removeLeftovers(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const leftovers = names.filter((name) => name.startsWith(prefix) && LEFTOVER.test(name.slice(prefix.length)));
  await Promise.all(leftovers.map((name) => rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined)));
}
