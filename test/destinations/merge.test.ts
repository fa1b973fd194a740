import { describe, expect, it } from 'vitest';
import { deepMerge, destinationConfigPath, invalidDestination, secretsFiles, setByOverlay } from '../../src/config/destination.js';

describe("destinations: Kamal's merge and file names", () => {
  it('merges mappings key by key and replaces lists and scalars', () => {
    const base = { service: 'a', provider: { type: 'upcloud', zone: 'us-nyc1', plan: 'p1' }, secrets: ['X', 'Y'], vms: { count: 3 } };
    const overlay = { provider: { zone: 'de-fra1' }, secrets: ['Z'], vms: 1 };
    expect(deepMerge(base, overlay)).toEqual({ service: 'a', provider: { type: 'upcloud', zone: 'de-fra1', plan: 'p1' }, secrets: ['Z'], vms: 1 });
    expect(base.provider.zone).toBe('us-nyc1'); // the base is not changed
  });

  it('keeps a __proto__ key of the YAML a key', () => {
    const merged = deepMerge({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });

  it('knows which file set a key path', () => {
    const overlay = { provider: { zone: 'x' }, vms: 2 };
    expect(setByOverlay(overlay, ['provider', 'zone'])).toBe(true);
    expect(setByOverlay(overlay, ['provider', 'plan'])).toBe(false);
    expect(setByOverlay(overlay, ['vms', 'count'])).toBe(true); // vms replaced as a whole
    expect(setByOverlay(overlay, ['service'])).toBe(false);
  });

  it('names the destination files as Kamal does', () => {
    expect(destinationConfigPath('config/dev.yml', 'staging')).toBe('config/dev.staging.yml');
    expect(destinationConfigPath('/p/my.conf.yaml', 'qa')).toBe('/p/my.conf.qa.yaml');
    expect(secretsFiles('/p/.kamal/secrets', 'staging')).toEqual({ common: '/p/.kamal/secrets-common', main: '/p/.kamal/secrets.staging' });
    expect(secretsFiles('/p/.kamal/secrets', undefined)).toEqual({ common: '/p/.kamal/secrets-common', main: '/p/.kamal/secrets' });
  });

  it('accepts letters, digits, - and _ only', () => {
    for (const ok of ['staging', 'qa-2', 'eu_west', 'A1']) expect(invalidDestination(ok)).toBeUndefined();
    for (const bad of ['a/b', '..', '../x', 'a b', '', '-x', '.hidden', 'x'.repeat(64), 'a\nb']) expect(invalidDestination(bad)).toMatch(/^-d, --destination: expected/);
  });
});
