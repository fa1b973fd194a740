import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/** A secret value: prints, logs, serialises and inspects as [REDACTED]; `reveal()` is the only way out. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Replaces every occurrence of each secret's value (and its base64 form) in `text` with [REDACTED]. */
export function redact(text: string, secrets: Iterable<Secret>): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret.reveal();
    if (value.length < 4) continue;
    for (const form of [value, Buffer.from(value).toString('base64')]) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}
