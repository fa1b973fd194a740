import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { featureContextFiles, featureLayers, featuresDockerfile, BUILD_CONTENT_DOCKERFILE, CONTENT_TEMP_IMAGE } from '../../../src/devcontainer/features/dockerfile.js';
import { installOrder } from '../../../src/devcontainer/features/order.js';
import { devcontainerEntry, featureEntry, imageLabelEntries, mergeMetadata, parseMetadataLabel } from '../../../src/devcontainer/metadata-merge.js';
import { parseDevcontainer } from '../../../src/devcontainer/parse.js';
import { featureUsers } from '../../../src/deploy/image.js';
import { resolveFeatures } from '../../../src/project/features/resolve.js';

/**
 * The reference CLI's generated files for small local features (fixtures/devcontainer-features-oracle/README.md):
 * kamal-dev's install order, option env files, install wrappers and Dockerfile must be the same, byte for byte.
 */
const ORACLE = fileURLToPath(new URL('../../../fixtures/devcontainer-features-oracle/', import.meta.url));
const expected = (...parts: string[]) => readFileSync(path.join(ORACLE, 'expected', ...parts), 'utf8');

async function load(fixture: string) {
  const folder = path.join(ORACLE, 'fixtures', fixture, '.devcontainer');
  const file = path.join(folder, 'devcontainer.json');
  const dc = parseDevcontainer(readFileSync(file, 'utf8'), 'devcontainer.json', { env: {}, projectFolder: path.dirname(folder) });
  const resolved = await resolveFeatures(dc.features!, {
    folder, file: 'devcontainer.json', lockfile: path.join(folder, 'devcontainer-lock.json'), cacheDir: mkdtempSync(path.join(tmpdir(), 'oracle-cache-')), env: {},
    // The fixture passes an undeclared option, which the reference CLI accepts and kamal-dev refuses (features/resolve.test.ts).
    strictOptions: false,
  });
  return { dc, roots: resolved.roots, order: () => installOrder(resolved.roots, dc.featureOrder ?? [], 'devcontainer.json') };
}

/** The generated Dockerfile for `case` with the base image's label entries and user. */
async function generate(fixture: string, base: { label?: string; user?: string }, kind: { buildKit: boolean; syntaxLine: boolean }) {
  const { dc, order } = await load(fixture);
  const features = order();
  const baseEntries = parseMetadataLabel(base.label);
  const jsonEntry = devcontainerEntry(dc.json, { withRemoteEnv: false });
  const users = featureUsers([...baseEntries, jsonEntry], base.user ?? '');
  const dockerfile = featuresDockerfile({
    features, ...users, metadata: imageLabelEntries(baseEntries, features.map(featureEntry), jsonEntry), containerEnv: dc.json.containerEnv ?? {},
    ...kind, contentImage: CONTENT_TEMP_IMAGE, userDockerfile: '',
  });
  return { features, users, dockerfile, files: featureContextFiles({ features, ...users }) };
}

describe('features: what the reference CLI generates', () => {
  it('order-nobuildkit: install order (installsAfter, dependsOn with options, the duplicate), each env file and wrapper, the Dockerfile', async () => {
    const { features, dockerfile, files } = await generate('order-and-options', {}, { buildKit: false, syntaxLine: false });
    expect(featureLayers(features).map((layer) => layer.folder)).toEqual(['beta_0', 'alpha_1', 'alpha_2', 'gamma_3']);
    expect(dockerfile).toBe(expected('order-nobuildkit', 'Dockerfile.extended'));
    const content = path.join(ORACLE, 'expected', 'order-nobuildkit', 'feature-content');
    const wanted = readdirSync(content).filter((name) => name.includes('_')).flatMap((folder) =>
      readdirSync(path.join(content, folder)).map((file) => [`${folder}/${file}`, readFileSync(path.join(content, folder, file), 'utf8')]),
    );
    expect(Object.fromEntries(files.filter((f) => f.path.includes('/')).map((f) => [f.path, f.content]))).toEqual(Object.fromEntries(wanted));
    expect(files.find((f) => f.path === 'devcontainer-features.builtin.env')!.content).toBe(readFileSync(path.join(content, 'devcontainer-features.builtin.env'), 'utf8'));
    expect(BUILD_CONTENT_DOCKERFILE).toBe(readFileSync(path.join(content, 'Dockerfile.buildContent'), 'utf8'));
  });

  it('order-buildkit-engine20 and -engine24: bind mounts from the named context; the syntax line only before engine 23', async () => {
    expect((await generate('order-and-options', {}, { buildKit: true, syntaxLine: true })).dockerfile).toBe(expected('order-buildkit-engine20', 'Dockerfile.extended'));
    expect((await generate('order-and-options', {}, { buildKit: true, syntaxLine: false })).dockerfile).toBe(expected('order-buildkit-engine24', 'Dockerfile.extended'));
  });

  it('order-imageuser-node: the base image user and label set _CONTAINER_USER; devcontainer.json remoteUser wins', async () => {
    const label = '[{"remoteUser":"node","containerUser":"node"}]';
    const { dockerfile, users, files } = await generate('order-and-options', { label, user: 'node' }, { buildKit: false, syntaxLine: false });
    expect(users).toEqual({ containerUser: 'node', remoteUser: 'vscode' });
    expect(dockerfile).toBe(expected('order-imageuser-node', 'Dockerfile.extended'));
    expect(files[0]!.content).toBe(expected('order-imageuser-node', 'feature-content', 'devcontainer-features.builtin.env'));
  });

  it('override: overrideFeatureInstallOrder puts zulu and yankee before xray', async () => {
    const { features, dockerfile, files } = await generate('override-order', {}, { buildKit: false, syntaxLine: false });
    expect(featureLayers(features).map((layer) => layer.folder)).toEqual(['zulu_0', 'yankee_1', 'xray_2']);
    expect(dockerfile).toBe(expected('override', 'Dockerfile.extended'));
    for (const file of files) expect([file.path, file.content]).toEqual([file.path, expected('override', 'feature-content', file.path)]);
  });

  it('shorthand: "3.0" is VERSION, false is VERSION="false" (still installed), a string without a version option is ignored', async () => {
    const { dockerfile, files } = await generate('value-shorthand', {}, { buildKit: false, syntaxLine: false });
    expect(dockerfile).toBe(expected('shorthand', 'Dockerfile.extended'));
    for (const file of files) expect([file.path, file.content]).toEqual([file.path, expected('shorthand', 'feature-content', file.path)]);
  });

  it('cycle: two features depending on each other are an error naming devcontainer.json and both', async () => {
    const { order } = await load('cycle');
    expect(order).toThrow(/^devcontainer\.json: features: a dependency cycle .* among \.\/aa, \.\/bb|^devcontainer\.json: features: a dependency cycle .* among \.\/bb, \.\/aa/);
  });

  it('read-configuration: the merged configuration over a labelled base image', async () => {
    const reference = JSON.parse(expected('read-configuration-merged-labelled-base.json')) as Record<string, unknown>;
    const { dc, order } = await load('order-and-options');
    const base = parseMetadataLabel('[{"id":"ghcr.io/devcontainers/features/common-utils:2"},{"remoteUser":"node","containerUser":"node","containerEnv":{"BASE_ENV":"1"},"postCreateCommand":"echo base"}]');
    const merged = mergeMetadata([...base, ...order().map(featureEntry), devcontainerEntry(dc.json, { withRemoteEnv: true })]);
    expect(merged.init).toBe(reference.init);
    expect(merged.privileged).toBe(reference.privileged);
    expect(merged.capAdd).toEqual(reference.capAdd);
    expect(merged.securityOpt).toEqual(reference.securityOpt);
    expect(merged.entrypoints).toEqual(reference.entrypoints);
    expect(merged.mounts).toEqual(reference.mounts);
    // The features' containerEnv is in the image's ENV, not in the merged containerEnv.
    expect(merged.containerEnv).toEqual(reference.containerEnv);
    expect(merged.remoteEnv).toEqual(reference.remoteEnv);
    expect(merged.containerUser).toBe(reference.containerUser);
    expect(merged.remoteUser).toBe(reference.remoteUser);
    for (const hook of ['onCreate', 'updateContent', 'postCreate', 'postStart', 'postAttach']) {
      expect([hook, merged.hooks[`${hook}Command` as keyof typeof merged.hooks].map((c) => c.command)]).toEqual([hook, reference[`${hook}Commands`]]);
    }
    expect(merged.hooks.postCreateCommand.map((c) => c.origin)).toEqual(['devcontainer.json', './beta', 'devcontainer.json']);
  });
});
