/** Shell metacharacter payloads that would create `marker` if any of them reached a shell unquoted. */
export function shellPayloads(marker: string): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `; touch ${marker}`,
    `x; touch ${marker} #`,
    `| touch ${marker}`,
    `&& touch ${marker}`,
    `\ntouch ${marker}\n`,
    `'; touch ${marker}; '`,
    `"; touch ${marker}; "`,
    `$(touch ${marker})\`touch ${marker}\`;touch ${marker}`,
  ];
}

/** Values far beyond anything real: size, magnitude, depth. */
export function hugeValues(pick: <T>(items: readonly T[]) => T): unknown[] {
  const megabytes = 1 + Math.floor(pick([0, 1, 2, 3]));
  return [
    'A'.repeat(megabytes * 1024 * 1024),
    '€'.repeat(200_000),
    1e308,
    -1e308,
    2 ** 64,
    Number.MAX_SAFE_INTEGER + 2,
    Array.from({ length: 20_000 }, (_, i) => i),
    Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
  ];
}
