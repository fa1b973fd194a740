const UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** What a duration looks like where kamal-dev takes one (remove --older-than, idle_timeout). */
export const DURATION_FORMAT = 'a whole number and a unit s, m, h or d, such as 30m, 2h or 7d';

/** `30m` -> 1800 seconds; undefined for anything else (no spaces, no fractions, no other units, no sign). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})([smhd])$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2] as keyof typeof UNITS];
}
