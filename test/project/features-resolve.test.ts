import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureLayers } from '../../src/devcontainer/features/dockerfile.js';
import { installOrder } from '../../src/devcontainer/features/order.js';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';
import { resolveFeatures } from '../../src/project/features/resolve.js';
import { featureArtifact } from '../helpers/feature-artifact.js';
import { FeatureRegistry } from '../helpers/feature-registry.js';

const registry = new FeatureRegistry();
let host = '';

const feature = (id: string, extra: Record<string, unknown> = {}) => ({
  'devcontainer-feature.json': JSON.stringify({ id, version: '1.0.0', name: id, ...extra }),
  'install.sh': `#!/bin/sh\necho ${id} > /tmp/${id}\n`,
});

beforeAll(async () => {
  host = await registry.start();
  await publishGreeting();
  registry.publish('kd/features/base-tools', '1', await featureArtifact(feature('base-tools'), { annotate: false }));
  registry.publish('kd/features/secret', '1', await featureArtifact(feature('secret')), { private: true });
});
afterAll(() => registry.stop());

/** greeting depends on base-tools of the same registry (its host known once it listens). */
async function publishGreeting() {
  registry.publish('kd/features/greeting', '1', await featureArtifact(feature('greeting', {
    options: { greeting: { type: 'string', default: 'hello' }, loud: { type: 'boolean', default: false } },
    dependsOn: { [`${host}/kd/features/base-tools:1`]: {} },
    containerEnv: { GREETING_HOME: '/opt/greeting' },
  })));
}

function resolve(features: Record<string, unknown>, options: { env?: Record<string, string>; cacheDir?: string; lock?: string } = {}) {
  const folder = mkdtempSync(path.join(tmpdir(), 'resolve-'));
  if (options.lock) writeFileSync(path.join(folder, 'devcontainer-lock.json'), options.lock);
  const dc = parseDevcontainer(JSON.stringify({ image: 'debian:12', features }), 'devcontainer.json', { env: {}, projectFolder: folder });
  return resolveFeatures(dc.features!, {
    folder, file: 'devcontainer.json', lockfile: path.join(folder, 'devcontainer-lock.json'),
    cacheDir: options.cacheDir ?? mkdtempSync(path.join(tmpdir(), 'cache-')),
    env: options.env ?? { KAMAL_DEV_INSECURE_REGISTRIES: host },
  });
}

describe('features from a registry (anonymous token flow, plain HTTP only for KAMAL_DEV_INSECURE_REGISTRIES)', () => {
  it('resolves a feature and its dependsOn, in dependency order, with the options as env lines', async () => {
    registry.requests.length = 0;
    const { roots } = await resolve({ [`${host}/kd/features/greeting:1`]: { greeting: 'howdy' } });
    const order = installOrder(roots, [], 'devcontainer.json');
    expect(order.map((f) => f.userId)).toEqual([`${host}/kd/features/base-tools:1`, `${host}/kd/features/greeting:1`]);
    expect(featureLayers(order).map((l) => [l.folder, l.envFile])).toEqual([['base-tools_0', ''], ['greeting_1', 'GREETING="howdy"\nLOUD="false"']]);
    expect(order[1]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The token flow: 401 with a Bearer challenge, a token from the realm, the request again with it.
    expect(registry.requests.slice(0, 3)).toEqual([
      'GET /v2/kd/features/greeting/manifests/1',
      `GET /token?service=${encodeURIComponent(host)}&scope=repository%3Akd%2Ffeatures%2Fgreeting%3Apull`,
      'GET /v2/kd/features/greeting/manifests/1',
    ]);
  });

  it('caches archives by digest under the cache folder: a second resolution downloads no layer', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'cache-'));
    await resolve({ [`${host}/kd/features/greeting:1`]: {} }, { cacheDir });
    registry.requests.length = 0;
    await resolve({ [`${host}/kd/features/greeting:1`]: {} }, { cacheDir });
    expect(registry.requests.filter((r) => r.includes('/blobs/'))).toEqual([]);
  });

  it('honours devcontainer-lock.json: a locked feature is fetched by its digest, which must match', async () => {
    const id = `${host}/kd/features/base-tools:1`;
    const { roots } = await resolve({ [id]: {} });
    registry.requests.length = 0;
    await resolve({ [id]: {} }, { lock: JSON.stringify({ features: { [id]: { version: '1.0.0', resolved: `x@${roots[0]!.digest}`, integrity: roots[0]!.digest } } }) });
    expect(registry.requests).toContain(`GET /v2/kd/features/base-tools/manifests/${roots[0]!.digest}`);
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(resolve({ [id]: {} }, { lock: JSON.stringify({ features: { [id]: { integrity: wrong } } }) })).rejects.toThrow(/not found|not the expected/);
  });

  it('bad input exits 2 naming devcontainer.json and the feature: missing, needs credentials, unknown option, wrong type', async () => {
    await expect(resolve({ [`${host}/kd/features/nope:1`]: {} })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^devcontainer\.json: features: ".*\/kd\/features\/nope:1": not found/) });
    await expect(resolve({ [`${host}/kd/features/secret:1`]: {} })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/features: ".*secret:1": .* refused an anonymous read \(401\); the feature needs credentials/) });
    await expect(resolve({ [`${host}/kd/features/greeting:1`]: { colour: 'red' } })).rejects.toThrow(/features: ".*greeting:1": unknown option "colour" \(the feature has greeting, loud\)/);
    await expect(resolve({ [`${host}/kd/features/greeting:1`]: { loud: 'yes' } })).rejects.toThrow(/option "loud" expects true or false, got "yes"/);
  });

  it('a registry not named in KAMAL_DEV_INSECURE_REGISTRIES is spoken to over HTTPS', async () => {
    await expect(resolve({ [`${host}/kd/features/greeting:1`]: {} }, { env: {} })).rejects.toMatchObject({
      exitCode: 2, message: expect.stringMatching(new RegExp(`cannot reach https://${host.replaceAll('.', '\\.')}`)),
    });
  });
});
