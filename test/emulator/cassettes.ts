import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RECORDINGS_DIR } from '../fixtures-replay/recordings.js';

export interface Interaction {
  request: { method: string; url: string; body: string };
  response: { code: number; body: string; headers: Record<string, string[]> };
}

/** A go-vcr v1 cassette copied from upcloud-go-api (MIT; see fixtures/upcloud-recordings/LICENSE-upcloud-go-api.txt). */
export function loadCassette(name: string): Interaction[] {
  const text = readFileSync(`${RECORDINGS_DIR}${name}.yaml`, 'utf8');
  return (parse(text) as { interactions: Interaction[] }).interactions;
}

export function contentTypeOf(i: Interaction): string | undefined {
  return i.response.headers['Content-Type']?.[0];
}
