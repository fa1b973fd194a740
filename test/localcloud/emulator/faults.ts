import { seededRandom } from './prng.js';

/** Kinds drawn at random (`faultRate`). */
export const FAULT_KINDS = ['5xx', '429', 'drop', 'create-500', 'slow', 'lost-after'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The kinds drawn unless told otherwise; `lost-after` is asked for by name. */
export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = ['5xx', '429', 'drop', 'create-500', 'slow'];

/**
 * What a fault does to one request. `*-before` answer without touching the fleet; `*-after` let the request
 * take effect, then lose its answer (500, a dropped connection, or the real status with a cut-off body).
 */
export const EFFECTS = ['pass', '500-before', '503-before', '500-after', 'drop-before', 'drop-after', 'mangle-after', '429', 'hang', 'slow'] as const;
export type EffectKind = (typeof EFFECTS)[number];

/** An arbitrary error answer; `problem` sends it as application/problem+json, `retryAfter` adds the header (s). */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  problem?: boolean;
  retryAfter?: number;
}

export type Effect = EffectKind | ErrorAnswer;

export interface FaultSettings {
  /** Share of API requests that get a fault, 0..1. */
  rate: number;
  seed: number;
  kinds: readonly FaultKind[];
  /** How long a `slow` fault holds the reply. */
  slowMs: number;
}

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

export function isEffect(value: unknown): value is Effect {
  if (typeof value === 'string') return (EFFECTS as readonly string[]).includes(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const status = v.status;
  return (
    typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 &&
    typeof v.code === 'string' && typeof v.message === 'string' &&
    (v.problem === undefined || typeof v.problem === 'boolean') &&
    (v.retryAfter === undefined || (typeof v.retryAfter === 'number' && Number.isInteger(v.retryAfter) && v.retryAfter >= 0))
  );
}

/**
 * The effect of a randomly drawn kind: `5xx` alternates a 500 with a legacy body and a 503 with an HTML one,
 * `lost-after` (any request) a dropped connection and a 500 after the request took effect.
 */
function effectOf(kind: FaultKind, nth: number): EffectKind {
  switch (kind) {
    case '5xx':
      return nth % 2 === 0 ? '503-before' : '500-before';
    case '429':
      return '429';
    case 'drop':
      return 'drop-before';
    case 'create-500':
      return '500-after';
    case 'slow':
      return 'slow';
    case 'lost-after':
      return nth % 2 === 0 ? '500-after' : 'drop-after';
  }
}

/**
 * Decides, request by request, whether a request gets a fault and which. Scripted effects come first (those
 * for the request's method, then the general script), in order; then one seeded random sequence.
 * `create-500` only fits `POST /server`; drawn for another request it becomes a plain `5xx`.
 */
export class FaultInjector {
  private random: () => number;
  private settings: FaultSettings;
  private readonly queue: Effect[] = [];
  private readonly byMethod = new Map<string, Effect[]>();
  readonly counts: Record<FaultKind, number> = { '5xx': 0, '429': 0, drop: 0, 'create-500': 0, slow: 0, 'lost-after': 0 };
  /** Scripted effects used so far (`pass` included). */
  scripted = 0;

  constructor(settings: FaultSettings) {
    this.settings = settings;
    this.random = seededRandom(settings.seed);
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  configure(update: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...update };
    if (update.seed !== undefined) this.random = seededRandom(update.seed);
  }

  /** Queues effects for the next requests (of `method` only, when given). */
  script(effects: readonly Effect[], method?: string): void {
    if (method === undefined) this.queue.push(...effects);
    else this.byMethod.set(method.toUpperCase(), [...(this.byMethod.get(method.toUpperCase()) ?? []), ...effects]);
  }

  /** Scripted effects not used yet. */
  pending(): number {
    return this.queue.length + [...this.byMethod.values()].reduce((sum, q) => sum + q.length, 0);
  }

  /** The random draw alone: a kind or null. */
  draw(isCreate: boolean): FaultKind | null {
    const { rate, kinds } = this.settings;
    if (rate <= 0 || kinds.length === 0) return null;
    if (this.random() >= rate) return null;
    let kind = kinds[Math.floor(this.random() * kinds.length)] ?? '5xx';
    if (kind === 'create-500' && !isCreate) kind = '5xx';
    this.counts[kind] += 1;
    return kind;
  }

  /** The effect for the next request. */
  next(method: string, isCreate: boolean): Effect {
    const scripted = this.byMethod.get(method)?.shift() ?? this.queue.shift();
    if (scripted !== undefined) {
      this.scripted += 1;
      return scripted;
    }
    const kind = this.draw(isCreate);
    return kind === null ? 'pass' : effectOf(kind, this.counts[kind]);
  }
}
