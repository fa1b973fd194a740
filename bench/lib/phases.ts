import type { LifecycleEvent } from '../../src/deploy/events.js';

/**
 * For each step of a deploy's `--progress json` events: when the last workspace reached it, in ms after
 * `startedAt` (the spawn). Shows where a larger deploy spends the extra time.
 */
export function stepTimeline(stderr: string, startedAt: number): Record<string, number> {
  const latest: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as LifecycleEvent & { time: string };
    const step = event.type === 'step' ? event.step : `done (${event.outcome})`;
    latest[step] = Math.max(latest[step] ?? 0, Date.parse(event.time) - startedAt);
  }
  return latest;
}
