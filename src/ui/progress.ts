import type { Io } from './io.js';

/** What a long command reports about one workspace. */
export interface ProgressEvent {
  workspace: string;
  /** What people read. */
  text: string;
  /** Final outcome of the workspace, when the event is its last. */
  outcome?: 'ok' | 'failed' | 'interrupted';
  /** The event as data, for `--progress json`. */
  data?: object;
}

export type ProgressMode = 'auto' | 'plain' | 'json';

export interface Progress {
  update(event: ProgressEvent): void;
  /** Ends the live view (before the summary is printed). */
  done(): void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** On a terminal: one live line per workspace, redrawn in place. */
class LiveProgress implements Progress {
  private readonly lines = new Map<string, { text: string; since: number; outcome?: ProgressEvent['outcome'] }>();
  private drawn = 0;
  private finished = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly io: Io,
    private readonly now: () => number,
    private readonly scrub: (text: string) => string,
  ) {
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  update(event: ProgressEvent): void {
    if (this.finished) return;
    const previous = this.lines.get(event.workspace);
    this.lines.set(event.workspace, {
      text: event.text,
      since: previous?.since ?? this.now(),
      ...(event.outcome ? { outcome: event.outcome } : {}),
    });
    this.draw();
  }

  private draw(): void {
    const width = Math.max(20, (this.io.stderr.columns ?? 100) - 1);
    const out: string[] = [];
    if (this.drawn > 0) out.push(`\u001b[${this.drawn}A`);
    for (const [name, line] of this.lines) {
      const mark = line.outcome === 'ok' ? '✓' : line.outcome === undefined ? '…' : '✗';
      const text = this.scrub(`${mark} ${name}  ${line.text}  ${seconds(this.now() - line.since)}`);
      out.push(`\u001b[2K${text.slice(0, width)}\n`);
    }
    this.drawn = this.lines.size;
    this.io.stderr.write(out.join(''));
  }

  /** Idempotent: once the summary is printed below the live lines, a redraw would climb over it. */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.draw();
  }
}

/** Without a terminal: one plain, timestamped line per step change. */
class PlainProgress implements Progress {
  private readonly last = new Map<string, string>();

  constructor(
    private readonly io: Io,
    private readonly clock: () => Date,
    private readonly scrub: (text: string) => string,
  ) {}

  update(event: ProgressEvent): void {
    if (this.last.get(event.workspace) === event.text) return;
    this.last.set(event.workspace, event.text);
    this.io.stderr.write(this.scrub(`${this.clock().toISOString()} ${event.workspace}: ${event.text}\n`));
  }

  done(): void {}
}

/** `--progress json`: every event as one JSON line, for scripts and agents. */
class JsonProgress implements Progress {
  constructor(
    private readonly io: Io,
    private readonly clock: () => Date,
    private readonly scrub: (text: string) => string,
  ) {}

  update(event: ProgressEvent): void {
    const data = event.data ?? { workspace: event.workspace, text: event.text };
    this.io.stderr.write(this.scrub(`${JSON.stringify({ time: this.clock().toISOString(), ...data })}\n`));
  }

  done(): void {}
}

class SilentProgress implements Progress {
  update(): void {}
  done(): void {}
}

export function createProgress(
  io: Io,
  options: { quiet: boolean; clock: () => Date; scrub?: (text: string) => string; mode?: ProgressMode },
): Progress {
  const scrub = options.scrub ?? ((text: string) => text);
  if (options.mode === 'json') return new JsonProgress(io, options.clock, scrub);
  if (options.quiet) return new SilentProgress();
  if (io.stderr.isTTY && options.mode !== 'plain') return new LiveProgress(io, () => options.clock().getTime(), scrub);
  return new PlainProgress(io, options.clock, scrub);
}
