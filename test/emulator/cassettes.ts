import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Interaction {
  request: { method: string; url: string; body: string };
  response: { code: number; body: string; headers: Record<string, string[]> };
}

/** A go-vcr v1 cassette copied from upcloud-go-api (MIT; see fixtures/LICENSE-upcloud-go-api.txt). */
export function loadCassette(name: string): Interaction[] {
  const text = readFileSync(new URL(`./fixtures/${name}.yaml`, import.meta.url), 'utf8');
  return (parse(text) as { interactions: Interaction[] }).interactions;
}

export function contentTypeOf(i: Interaction): string | undefined {
  return i.response.headers['Content-Type']?.[0];
}
