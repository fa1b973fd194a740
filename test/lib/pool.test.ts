import { describe, expect, it } from 'vitest';
import { mapPool } from '../../src/lib/pool.js';

describe('mapPool', () => {
  it('never runs more than the limit at once and keeps the order of results', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapPool([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running -= 1;
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
  });

  it('starts nothing new once aborted, and lets work under way finish', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const results = await mapPool(
      [0, 1, 2, 3, 4],
      2,
      async (n) => {
        started.push(n);
        if (n === 1) controller.abort();
        await new Promise((r) => setTimeout(r, 5));
        return n;
      },
      controller.signal,
    );
    expect(started).toEqual([0, 1]);
    expect(results).toEqual([0, 1, undefined, undefined, undefined]);
  });
});
