/** A value as an error message quotes it: JSON-escaped (no raw newlines) and cut to `max` characters. */
export function shown(value: string, max = 60): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
