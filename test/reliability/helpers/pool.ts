/** Runs `task` for 0..count-1 with at most `limit` at once (the machine is shared: keep it small). */
export async function forEachLimited(count: number, limit: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}
