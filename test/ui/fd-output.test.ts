import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FdOutput, isPipeOrFile } from '../../src/ui/fd-output.js';

describe('FdOutput', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-fd-output-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes strings and bytes in order, each done when write returns, callbacks after', async () => {
    const file = path.join(dir, 'out');
    const fd = openSync(file, 'w');
    const out = new FdOutput(fd);
    const calls: string[] = [];
    expect(out.write('one\n', () => calls.push('one'))).toBe(true);
    expect(out.write(Buffer.from('two\n'))).toBe(true);
    expect(out.write('thrée\n', 'utf8', () => calls.push('three'))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthrée\n');
    expect(calls).toEqual([]);
    await new Promise<void>((resolve) => out.end('end\n', () => resolve()));
    expect(calls).toEqual(['one', 'three']);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthrée\nend\n');
    closeSync(fd);
  });

  it('a failed write is an error event with its code, and later writes are dropped', async () => {
    const fd = openSync(path.join(dir, 'read-only'), 'w+');
    closeSync(fd);
    const out = new FdOutput(fd); // a closed descriptor: EBADF
    const error = new Promise<NodeJS.ErrnoException>((resolve) => out.once('error', resolve));
    expect(out.write('lost\n')).toBe(false);
    expect((await error).code).toBe('EBADF');
    const again = await new Promise<Error | null | undefined>((resolve) => out.write('also lost\n', resolve));
    expect((again as NodeJS.ErrnoException).code).toBe('EBADF');
  });

  it('waits out a full non-blocking pipe (EAGAIN) instead of losing output', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // cat copies the pipe to a file: this thread is blocked while it waits, so it cannot read a pipe from cat
    const copy = openSync(path.join(dir, 'copy'), 'w');
    const reader = spawn('cat', [fifo], { stdio: ['ignore', copy, 'inherit'] });
    const closed = new Promise((resolve) => reader.on('close', resolve));
    let fd: number | undefined;
    while (fd === undefined) {
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error; // cat has not opened it yet
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const megabyte = Buffer.alloc(1024 * 1024, 'x');
    expect(new FdOutput(fd).write(megabyte)).toBe(true); // 16 times a pipe's buffer
    closeSync(fd);
    await closed;
    closeSync(copy);
    expect(readFileSync(path.join(dir, 'copy')).equals(megabyte)).toBe(true);
  });

  it('is the writable side of a Duplex (as the ssh --stdio server uses stdout)', async () => {
    const file = path.join(dir, 'duplex');
    const fd = openSync(file, 'w');
    const input = new PassThrough();
    const duplex = Duplex.from({ readable: input, writable: new FdOutput(fd) });
    duplex.write('ssh bytes\n');
    await new Promise<void>((resolve) => duplex.end(() => resolve()));
    expect(readFileSync(file, 'utf8')).toBe('ssh bytes\n');
    closeSync(fd);
  });

  it('is used for pipes and files, not for a character device (a terminal, /dev/null)', () => {
    const fd = openSync(path.join(dir, 'file'), 'w');
    const devNull = openSync('/dev/null', 'w');
    expect(isPipeOrFile(fd)).toBe(true);
    expect(isPipeOrFile(devNull)).toBe(false);
    expect(isPipeOrFile(999_999)).toBe(false);
    closeSync(fd);
    closeSync(devNull);
  });
});
