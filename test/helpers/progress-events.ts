import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { LifecycleEvent } from '../../src/deploy/events.js';
import { BIN } from './cli.js';

/** A running kamal-dev with `--progress json`: its lifecycle events as they come, and a wait on them with a deadline. */
export interface EventedRun {
  child: ChildProcessWithoutNullStreams;
  events: LifecycleEvent[];
  stderr(): string;
  /** Resolves once `count` events satisfy `test`; rejects after `deadlineMs` naming what was seen. */
  waitFor(test: (event: LifecycleEvent) => boolean, count: number, deadlineMs: number): Promise<void>;
  exit: Promise<number | null>;
}

export function spawnWithEvents(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): EventedRun {
  const child = spawn(process.execPath, [BIN, '--progress', 'json', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  const events: LifecycleEvent[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      events.push(JSON.parse(line) as LifecycleEvent);
    }
    for (const wake of waiters) wake();
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = (test: (event: LifecycleEvent) => boolean, count: number, deadlineMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (events.filter(test).length < count) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${count} matching events not seen within ${deadlineMs} ms; saw: ${events.map((e) => (e.type === 'step' ? e.step : e.summary)).join(', ')}`));
      }, deadlineMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exit.then(check);
      check();
    });
  return { child, events, stderr: () => stderr, waitFor, exit };
}
