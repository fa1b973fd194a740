/** Summary figures of a sample of timings (milliseconds). */
export interface Summary {
  runs: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Milliseconds with one decimal, for tables and JSON. */
export function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}
