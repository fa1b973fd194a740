import { paint, type Colour } from './colour.js';
import type { Io } from './io.js';

const COLOURS: readonly Colour[] = ['green', 'yellow', 'magenta', 'bold', 'red'];

/**
 * Output of several workspaces at once, line by line: each complete line is written with the workspace's name
 * in front, padded to the longest name (coloured on a terminal); stdout stays on stdout, stderr on stderr. A
 * line is held back until its newline (or `flush`), so lines of different workspaces never mix.
 */
export class PrefixedOutput {
  readonly #width: number;
  readonly #pending = new Map<string, string>();
  readonly #colourOf: Map<string, Colour>;

  constructor(
    private readonly io: Io,
    names: readonly string[],
    private readonly colour: boolean,
  ) {
    this.#width = Math.max(0, ...names.map((name) => name.length));
    this.#colourOf = new Map(names.map((name, i) => [name, COLOURS[i % COLOURS.length]!]));
  }

  write(name: string, chunk: string, stream: 'stdout' | 'stderr'): void {
    const key = `${stream}\u0000${name}`;
    const lines = ((this.#pending.get(key) ?? '') + chunk).split('\n');
    this.#pending.set(key, lines.pop() ?? '');
    for (const line of lines) this.#line(name, line, stream);
  }

  /** Writes every line still waiting for its newline. */
  flush(): void {
    for (const [key, rest] of this.#pending) {
      const [stream, name] = key.split('\u0000') as ['stdout' | 'stderr', string];
      if (rest !== '') this.#line(name, rest, stream);
    }
    this.#pending.clear();
  }

  #line(name: string, line: string, stream: 'stdout' | 'stderr'): void {
    const label = `${name.padEnd(this.#width)} |`;
    this.io[stream].write(`${this.colour ? paint(label, this.#colourOf.get(name) ?? 'bold') : label} ${line}\n`);
  }
}
