import type { Io } from './io.js';
import { paint, type Colour } from './colour.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** Progress, warnings and errors on stderr; `--quiet` keeps errors only, `--verbose` adds details. */
export class Logger {
  constructor(
    private readonly io: Io,
    readonly verbosity: Verbosity,
    readonly colour: boolean,
    private readonly scrub: (text: string) => string = (text) => text,
  ) {}

  private write(text: string, colour?: Colour): void {
    const clean = this.scrub(text);
    this.io.stderr.write(`${colour && this.colour ? paint(clean, colour) : clean}\n`);
  }

  info(text: string): void {
    if (this.verbosity !== 'quiet') this.write(text);
  }

  success(text: string): void {
    if (this.verbosity !== 'quiet') this.write(text, 'green');
  }

  warn(text: string): void {
    if (this.verbosity !== 'quiet') this.write(`WARNING: ${text}`, 'yellow');
  }

  verbose(text: string): void {
    if (this.verbosity === 'verbose') this.write(text, 'dim');
  }

  error(text: string): void {
    this.write(text, 'red');
  }

}
