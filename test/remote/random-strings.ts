/** Deterministic strings full of shell metacharacters, for quoting round trips (a seeded PRNG: failures reproduce). */
const PIECES = [
  "'", '"', '$(', ')', '`', '\n', ';', '|', '&', '\\', ' ', '\t', '*', '?', '~', '#', '!', '$HOME', '${x}',
  '%s', '%', '-n', '--', '<', '>', '{', '}', '[', ']', '=', 'é', '日本語', '🙂', 'ß', '\r', 'a', 'Z', '0', "''",
  "'\\''", 'echo pwned', '\u00a0', '\u202e',
];

export function randomStrings(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const next = (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const out = ['', ' ', "'", '\n'];
  while (out.length < count) {
    const length = next(12);
    let text = '';
    for (let i = 0; i < length; i++) text += PIECES[next(PIECES.length)];
    out.push(text);
  }
  return out;
}
