import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseApiError } from '../../src/providers/upcloud/api-error.js';
import type { ApiResponse } from '../../src/providers/upcloud/http.js';
import {
  PlanListResponse,
  PriceListResponse,
  ServerListResponse,
  ServerResponse,
  ZoneListResponse,
} from '../../src/providers/upcloud/schemas.js';
import { toVm } from '../../src/providers/upcloud/server-mapping.js';
import { type Interaction, loadInteractions } from './recordings.js';

const interactions = loadInteractions();

/** The schema the client applies to a successful answer of this request, if it reads that endpoint. */
function schemaFor(interaction: Interaction): z.ZodType | undefined {
  const path = interaction.path.split('?')[0]!.replace(/\/$/, '');
  if (path === '/plan') return PlanListResponse;
  if (path === '/price') return PriceListResponse;
  if (path === '/zone') return ZoneListResponse;
  if (path === '/server' && interaction.method === 'GET') return ServerListResponse;
  if (/^\/server(\/[0-9a-f-]{36}(\/(stop|start|restart))?)?$/.test(path)) return ServerResponse;
  return undefined;
}

const successes = interactions.filter((interaction) => interaction.status < 300 && interaction.body !== '' && schemaFor(interaction));
const failures = interactions.filter((interaction) => interaction.status >= 400);

function asResponse(interaction: Interaction): ApiResponse {
  return {
    method: interaction.method,
    path: interaction.path,
    status: interaction.status,
    contentType: interaction.contentType ?? '',
    text: interaction.body,
    retryAfterMs: undefined,
  };
}

describe('recorded UpCloud answers', () => {
  it('covers servers, lists, prices, plans, zones and both error formats', () => {
    const kinds = new Set(successes.map((interaction) => schemaFor(interaction)));
    expect(kinds.size).toBe(5);
    expect(successes.length).toBeGreaterThanOrEqual(30);
    expect(failures.map((interaction) => interaction.contentType)).toContain('application/problem+json');
  });

  it.each(successes.map((interaction) => [`${interaction.file}: ${interaction.method} ${interaction.path}`, interaction] as const))(
    'parses %s',
    (_name, interaction) => {
      const parsed = schemaFor(interaction)!.safeParse(JSON.parse(interaction.body));
      expect(parsed.error?.issues ?? []).toEqual([]);
    },
  );

  it('maps a recorded server to a Vm with its public IPv4 and labels', () => {
    const created = interactions.find((interaction) => interaction.file === 'createstoprelocateserver.yaml' && interaction.method === 'POST')!;
    const vm = toVm(ServerResponse.parse(JSON.parse(created.body)).server);
    expect(vm).toEqual({
      id: '00a35a67-c8f3-4872-be1b-8b610bd0e75d',
      name: 'uploud-go-sdk-integration-test-TestCreateStopRelocateServer',
      state: 'maintenance',
      ip: '85.9.221.0',
      zone: 'fi-hel2',
      plan: 'custom',
      labels: { managedBy: 'upcloud-sdk-integration-test', testName: 'TestCreateStopRelocateServer' },
    });
  });

  it('reads the list with label filters as two summaries without addresses', () => {
    const list = interactions.find((interaction) => interaction.file === 'getserverswithfilters.yaml' && interaction.path.startsWith('/server/?label'))!;
    const vms = ServerListResponse.parse(JSON.parse(list.body)).servers.server.map(toVm);
    expect(vms.map((vm) => [vm.id, vm.state, vm.ip])).toEqual([
      ['009a78e4-5595-4551-8ba2-88eb0daaad29', 'started', undefined],
      ['00a47181-df7b-42c2-a6cc-107c9603e1e8', 'started', undefined],
    ]);
  });

  it.each(failures.map((interaction) => [`${interaction.file}: ${interaction.status}`, interaction] as const))(
    'reads the error code of %s',
    (_name, interaction) => {
      const info = parseApiError(asResponse(interaction));
      expect(info.status).toBe(interaction.status);
      expect(info.code).toMatch(/^[A-Z_]+$/);
      expect(info.message.length).toBeGreaterThan(5);
    },
  );

  it('reads the legacy and problem formats to the same codes as the official SDK', () => {
    const codes = failures.map((interaction) => parseApiError(asResponse(interaction)).code);
    expect(codes).toEqual(expect.arrayContaining(['SERVER_INVALID', 'TAG_NOT_FOUND', 'STORAGE_NOT_FOUND', 'SERVICE_ERROR']));
  });
});
