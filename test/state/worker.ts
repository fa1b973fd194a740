import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./fixtures/store-worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/state/store.js', import.meta.url));

export interface Reply {
  id: number;
  ok?: boolean;
  [key: string]: unknown;
}

/** A node process running the built StateStore, driven over stdin/stdout (fixtures/store-worker.mjs). */
export class StoreWorker {
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #nextId = 1;
  #listeners = new Set<(reply: Reply) => void>();

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.pid = child.pid ?? -1;
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      for (const listener of this.#listeners) listener(reply);
    });
  }

  static async start(): Promise<StoreWorker> {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    const worker = new StoreWorker(child);
    await worker.next((reply) => reply.ready === true);
    return worker;
  }

  /** Calls `listener` with every reply from now on. */
  onReply(listener: (reply: Reply) => void): void {
    this.#listeners.add(listener);
  }

  /** The next reply that satisfies `test`. */
  next(test: (reply: Reply) => boolean): Promise<Reply> {
    const promise = new Promise<Reply>((resolve, reject) => {
      const listener = (reply: Reply) => {
        if (!test(reply)) return;
        this.#listeners.delete(listener);
        resolve(reply);
      };
      this.#listeners.add(listener);
      void this.exited.then(({ code, signal }) => reject(new Error(`worker ${this.pid} exited (${code ?? signal})`)));
    });
    // a worker killed on purpose never answers its pending commands: not an unhandled rejection
    promise.catch(() => undefined);
    return promise;
  }

  /** Sends a command; `reply` resolves with its final reply (ok true/false). */
  send(command: Record<string, unknown>): { id: number; reply: Promise<Reply> } {
    const id = this.#nextId++;
    const reply = this.next((r) => r.id === id && r.ok !== undefined);
    this.child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    return { id, reply };
  }

  request(command: Record<string, unknown>): Promise<Reply> {
    return this.send(command).reply;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}
