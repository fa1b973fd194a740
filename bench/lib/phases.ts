/** One step label of the non-TTY progress output (`<ISO time> <workspace>: <step>`), with details cut off. */
function stepOf(text: string): string {
  return text.replace(/^(pulling|failed)\b.*$/, '$1').replace(/\s+\(.*\)$/, '');
}

/**
 * For each step of a deploy's progress lines: when the last workspace reached it, in ms after `startedAt`
 * (the spawn). Shows where a larger deploy spends the extra time.
 */
export function stepTimeline(stderr: string, startedAt: number): Record<string, number> {
  const latest: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    const match = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) ([^:\s]+): (.+)$/.exec(line);
    if (!match) continue;
    const at = Date.parse(match[1] as string) - startedAt;
    const step = stepOf(match[3] as string);
    latest[step] = Math.max(latest[step] ?? 0, at);
  }
  return latest;
}
