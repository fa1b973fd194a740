import { CancelledError } from '../lib/errors.js';
import { mapPool } from '../lib/pool.js';
import type { Outcome, Step } from './events.js';
import type { LifecycleDeps } from './ports.js';

export type StepReporter = (step: Step, detail?: string) => void;

export interface Failure {
  message: string;
  /** Interrupted (Ctrl-C) rather than failed: the work was left where it stood. */
  cancelled: boolean;
}

/** One lifecycle operation on one workspace, as the runner drives it. */
export interface WorkspaceTask<T extends { name: string }, R> {
  run(item: T, step: StepReporter): Promise<R>;
  /** The last event of a run that returned; default: ok, "done". */
  done?(result: R): { outcome: Outcome; summary: string };
  /** The result of a run that threw, or that was never started because the run was interrupted. */
  failed(item: T, failure: Failure): R | Promise<R>;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `task` for every workspace, at most `settings.concurrency` at once, each on its own: a failure is
 * turned into that workspace's result and never stops the others. Reports every step and each workspace's end
 * as typed events. Workspaces not started when the run is interrupted get their `failed` result too.
 */
export async function runEach<T extends { name: string }, R>(
  items: readonly T[],
  deps: Pick<LifecycleDeps, 'events' | 'signal' | 'settings'>,
  task: WorkspaceTask<T, R>,
): Promise<R[]> {
  const { events, signal } = deps;
  const one = async (item: T): Promise<R> => {
    const workspace = item.name;
    try {
      const result = await task.run(item, (step, detail) => events({ type: 'step', workspace, step, ...(detail ? { detail } : {}) }));
      const { outcome, summary } = task.done?.(result) ?? { outcome: 'ok', summary: 'done' };
      events({ type: 'done', workspace, outcome, summary });
      return result;
    } catch (error) {
      const cancelled = error instanceof CancelledError || signal.aborted;
      const message = cancelled ? 'interrupted' : errorMessage(error);
      events({ type: 'done', workspace, outcome: cancelled ? 'interrupted' : 'failed', summary: cancelled ? message : `failed: ${message}` });
      return task.failed(item, { message, cancelled });
    }
  };
  const results = await mapPool(items, deps.settings.concurrency, one, signal);
  return Promise.all(
    results.map((result, i) => (result !== undefined ? result : task.failed(items[i]!, { message: 'interrupted', cancelled: true }))),
  );
}
