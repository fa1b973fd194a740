import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const RECORDINGS_DIR = fileURLToPath(new URL('../../fixtures/upcloud-recordings/', import.meta.url));

export interface Interaction {
  file: string;
  method: string;
  /** Path below /1.3, query included, e.g. `/server/?label=managedBy`. */
  path: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

interface Cassette {
  interactions: Array<{
    request: { url: string; method: string };
    response: { body: string; code: number; headers: Record<string, string[]> };
  }>;
}

/** Every interaction of every recorded cassette, in file order. */
export function loadInteractions(): Interaction[] {
  return readdirSync(RECORDINGS_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const cassette = parse(readFileSync(`${RECORDINGS_DIR}${file}`, 'utf8')) as Cassette;
      return cassette.interactions.map((interaction) => {
        const url = new URL(interaction.request.url);
        return {
          file,
          method: interaction.request.method,
          path: `${url.pathname.replace(/^\/1\.3/, '')}${url.search}`,
          status: interaction.response.code,
          contentType: interaction.response.headers['Content-Type']?.[0],
          body: interaction.response.body,
        };
      });
    });
}

/** The recorded body of the first `GET <path>`. */
export function recordedBody(path: string): string {
  const found = loadInteractions().find((interaction) => interaction.method === 'GET' && interaction.path === path);
  if (found === undefined) throw new Error(`no recorded GET ${path}`);
  return found.body;
}
