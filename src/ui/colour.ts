const CODES = { red: 31, green: 32, yellow: 33, magenta: 35, dim: 2, bold: 1 } as const;

export type Colour = keyof typeof CODES;

export function paint(text: string, colour: Colour): string {
  return `\u001b[${CODES[colour]}m${text}\u001b[0m`;
}

/** Colour only on a terminal, never with --no-color or NO_COLOR. */
export function useColour(stream: { isTTY?: boolean }, flag: boolean, env: NodeJS.ProcessEnv): boolean {
  return flag && !('NO_COLOR' in env && env.NO_COLOR !== '') && Boolean(stream.isTTY);
}
