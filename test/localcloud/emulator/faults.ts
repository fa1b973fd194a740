import { seededRandom } from './prng.js';

export const FAULT_KINDS = ['5xx', '429', 'drop', 'create-500', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

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

/**
 * Decides, request by request and from one seeded sequence, whether a request gets a fault and which one.
 * `create-500` only fits `POST /server`; drawn for another request it becomes a plain `5xx`.
 */
export class FaultInjector {
  private random: () => number;
  private settings: FaultSettings;
  readonly counts: Record<FaultKind, number> = { '5xx': 0, '429': 0, drop: 0, 'create-500': 0, slow: 0 };

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

  next(isCreate: boolean): FaultKind | null {
    const { rate, kinds } = this.settings;
    if (rate <= 0 || kinds.length === 0) return null;
    if (this.random() >= rate) return null;
    let kind = kinds[Math.floor(this.random() * kinds.length)] ?? '5xx';
    if (kind === 'create-500' && !isCreate) kind = '5xx';
    this.counts[kind] += 1;
    return kind;
  }
}
