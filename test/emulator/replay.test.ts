import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { formatLegacy } from '../localcloud/emulator/http-reply.js';
import { contentTypeOf, loadCassette, type Interaction } from './cassettes.js';
import { call, waitForState } from './client.js';
import { shapeDiff } from './shape.js';

/** Fields the 2025 recording has and the 2022/2023 ones lack; the emulator serves the newest shape. */
const NEWER_FIELDS = new Set(['host', 'server_group', 'dhcp_provided', 'release_policy', 'labels', 'storage_encrypted']);
const RECORDED_BASE = 'https://api.upcloud.com/1.3';

const CASSETTES: { name: string; allowExtra: ReadonlySet<string>; stopDelayMs?: number }[] = [
  { name: 'createstartstopserver', allowExtra: NEWER_FIELDS },
  { name: 'createdeleteserverandstorage', allowExtra: NEWER_FIELDS },
  { name: 'createmodifydeleteserver', allowExtra: NEWER_FIELDS },
  // The recording reads `maintenance` right after the restart: keep that window wide for a loaded machine.
  { name: 'createrestartserver', allowExtra: NEWER_FIELDS, stopDelayMs: 2000 },
  { name: 'getserverdetails', allowExtra: NEWER_FIELDS },
  { name: 'getserverswithfilters', allowExtra: NEWER_FIELDS },
  { name: 'createstoprelocateserver', allowExtra: new Set() },
  { name: 'errorhandling', allowExtra: new Set() },
  { name: 'getplans', allowExtra: new Set() },
  { name: 'getpricezones', allowExtra: new Set() },
  { name: 'getzones', allowExtra: new Set() },
];

/** Storage and relocation calls are outside the emulator's scope (servers, prices, plans, zones, errors). */
function inScope(i: Interaction): boolean {
  return !/\/1\.3\/storage\b|\/relocate$/.test(i.request.url);
}

/** The state the server must be in before the recorded request makes sense (the recording skips the polls). */
function stateBefore(i: Interaction): string | undefined {
  if (i.request.method === 'DELETE' || i.request.url.endsWith('/start')) return 'stopped';
  if (i.request.method === 'POST' && i.request.url.endsWith('/server')) return undefined;
  const body = i.response.body ? (JSON.parse(i.response.body) as { server?: { state?: string } }) : {};
  if (/\/(stop|restart)$/.test(i.request.url) || i.request.method === 'PUT') return 'started';
  return body.server?.state;
}

let em: Emulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

describe('the emulator replays the recorded UpCloud traffic', () => {
  for (const { name, allowExtra, stopDelayMs } of CASSETTES) {
    it(`${name}: same statuses, content types and JSON shapes`, async () => {
      em = await startEmulator({ bootDelayMs: 100, stopDelayMs });
      const interactions = loadCassette(name).filter(inScope);
      expect(interactions.length).toBeGreaterThan(0);
      let recordedUuid: string | undefined;
      let uuid: string | undefined;
      for (const [index, i] of interactions.entries()) {
        const step = `${name} #${index} ${i.request.method} ${i.request.url}`;
        let path = i.request.url.slice(RECORDED_BASE.length);
        if (recordedUuid && uuid) {
          path = path.replace(recordedUuid, uuid);
          const state = stateBefore(i);
          if (state) await waitForState(em, uuid, state);
        }
        const reply = await call(em, i.request.method, path, i.request.body || undefined);

        expect(reply.status, step).toBe(i.response.code);
        expect(reply.contentType ?? undefined, step).toBe(contentTypeOf(i));
        if (i.response.body === '') {
          expect(reply.text, step).toBe('');
          continue;
        }
        expect(reply.text, `${step}: recorded formatting`).toBe(formatLegacy(reply.json));
        const recorded = JSON.parse(i.response.body) as { server?: { uuid?: string } };
        expect(shapeDiff(recorded, reply.json, allowExtra), step).toEqual([]);
        if (i.request.method === 'POST' && path === '/server') {
          recordedUuid = recorded.server?.uuid;
          uuid = (reply.json as { server: { uuid: string } }).server.uuid;
        }
      }
    });
  }

  it('formats bodies exactly like the recorded legacy endpoints', () => {
    for (const name of ['getplans', 'getzones', 'getpricezones', 'errorhandling', 'createstartstopserver', 'getserverswithfilters']) {
      for (const i of loadCassette(name).filter((x) => x.response.body !== '')) {
        expect(formatLegacy(JSON.parse(i.response.body)), `${name} ${i.request.url}`).toBe(i.response.body);
      }
    }
  });

  it('the shape comparison itself catches a missing key, a wrong type and an unrecorded key', () => {
    const recorded = { server: { core_number: '1', labels: { label: [{ key: 'a', value: 'b' }] } } };
    expect(shapeDiff(recorded, { server: { core_number: 1, labels: { label: [{ key: 'a' }] }, extra: true } })).toEqual([
      '$.server.core_number: recorded string, got number',
      '$.server.labels.label[0].value: missing',
      '$.server.extra: not in the recording',
    ]);
    expect(shapeDiff(recorded, { server: { core_number: '2', labels: { label: [] } } })).toEqual([
      '$.server.labels.label: recorded a non-empty array, got an empty one',
    ]);
  });
});
