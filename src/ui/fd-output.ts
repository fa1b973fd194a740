import { EventEmitter } from 'node:events';
import { fstatSync, writeSync } from 'node:fs';

/** A pipe, a socket or a regular file: output that no terminal shows, so nothing needs a TTY stream. */
export function isPipeOrFile(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() || stat.isFile();
  } catch {
    return false;
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

type Callback = (error?: Error | null) => void;

/**
 * Writes to a pipe or file descriptor with `fs.writeSync`, each write done when `write` returns. Node makes
 * `process.stdout` of a pipe a `net.Socket` (loading net, stream and the pipe bindings), which costs a short
 * command a fifth of Node's own start-up (docs/architecture.md#start-up); Node writes to pipes and files
 * synchronously anyway. A failed write (EPIPE: the reader is gone) is an `error` event, as on a stream, and
 * later writes are dropped. A pipe someone else made non-blocking is waited on (EAGAIN), not given up.
 */
export class FdOutput extends EventEmitter implements NodeJS.WritableStream {
  readonly isTTY = false;
  readonly columns = undefined;
  writable = true;
  #failed: Error | undefined;

  constructor(readonly fd: number) {
    super();
  }

  write(chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | Callback, callback?: Callback): boolean {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8';
    if (this.#failed) {
      if (done) process.nextTick(done, this.#failed);
      return false;
    }
    try {
      this.#writeAll(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    } catch (error) {
      this.#failed = error as Error;
      this.writable = false;
      process.nextTick(() => this.emit('error', error));
      if (done) process.nextTick(done, error as Error);
      return false;
    }
    if (done) process.nextTick(done, null);
    return true;
  }

  end(chunkOrCallback?: string | Uint8Array | Callback, encodingOrCallback?: BufferEncoding | Callback, callback?: Callback): this {
    const done = [chunkOrCallback, encodingOrCallback, callback].find((arg): arg is Callback => typeof arg === 'function');
    if (chunkOrCallback !== undefined && typeof chunkOrCallback !== 'function') {
      this.write(chunkOrCallback, typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8');
    }
    this.writable = false;
    process.nextTick(() => {
      this.emit('finish');
      done?.();
    });
    return this;
  }

  #writeAll(bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.length; ) {
      try {
        offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  }
}
