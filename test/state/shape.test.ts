import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StateSchema } from '../../src/state/schema.js';
import { shapeProblem } from '../../src/state/shape.js';
import { STATE_SHAPE } from '../../src/state/state-shape.generated.js';
import { stateShapeModule } from '../../src/state/state-shape-source.js';

const ENTRY = {
  vm_id: '00ab',
  vm_ip: '198.18.0.9',
  container_name: 'myapp-dev-1',
  status: 'running',
  deployed_at: '2026-11-22T12:00:00.000Z',
  service: 'myapp-dev',
  provider: 'upcloud',
  zone: 'us-nyc1',
  plan: '1xCPU-2GB',
  request_id: 'r-1',
  host_key: 'SHA256:abc',
  ports: { '3000': 3000 },
  error: 'boom',
  host_key_source: 'user_data',
  extra_key_of_a_newer_version: [1, 2],
};

/** Values of every kind YAML can give, put in place of each field and of the whole. */
const VALUES: unknown[] = [undefined, null, '', 'x', 'running', 0, 3000, -1, 1.5, Infinity, Number.NaN, 2 ** 60, true, [], ['a'], {}, { '3000': 3000 }, { a: 'b' }];

function cases(): unknown[] {
  const out: unknown[] = [{}, { deployments: null }, { deployments: {} }, { deployments: { a: ENTRY } }, { other: 1 }, ...VALUES];
  for (const value of VALUES) {
    out.push({ deployments: value }, { deployments: { a: value } });
    for (const key of Object.keys(ENTRY)) out.push({ deployments: { a: { ...ENTRY, [key]: value } } });
    out.push({ deployments: { a: { ...ENTRY, ports: { '3000': value } } } });
  }
  return out;
}

describe('the state shape checked without zod', () => {
  it('state-shape.generated.ts is what `npm run gen:state-shape` makes of the zod schema now', () => {
    expect(readFileSync(new URL('../../src/state/state-shape.generated.ts', import.meta.url), 'utf8')).toBe(stateShapeModule());
  });

  it('accepts exactly what the zod schema accepts', () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(250);
    for (const value of all) {
      const zod = StateSchema.safeParse(value).success;
      expect(shapeProblem(STATE_SHAPE, value) === undefined, inspect(value, { depth: 5 })).toBe(zod);
    }
  });

  it('names the path and what was wrong, as the config errors do', () => {
    expect(shapeProblem(STATE_SHAPE, { deployments: { a: { ...ENTRY, status: 'exploded' } } })).toBe(
      'deployments.a.status: expected one of "provisioning"|"provisioned"|"running"|"stopped"|"failed"|"missing", got "exploded"',
    );
    expect(shapeProblem(STATE_SHAPE, { deployments: { a: { status: 'running' } } })).toBe('deployments.a.container_name: is required (expected string)');
    expect(shapeProblem(STATE_SHAPE, { deployments: ['a'] })).toBe('deployments: expected object, got a list');
    expect(shapeProblem(STATE_SHAPE, { deployments: { a: { ...ENTRY, ports: { '3000': 1.5 } } } })).toBe('deployments.a.ports.3000: expected integer, got 1.5');
  });
});
