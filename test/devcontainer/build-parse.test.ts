import { describe, expect, it } from 'vitest';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';

const ctx = { env: { HOME: '/home/me' }, projectFolder: '/src/shop' };
const parse = (text: string) => parseDevcontainer(text, 'dc.json', ctx);

describe('devcontainer.json: Dockerfile builds', () => {
  it('build: dockerfile, context, args (variables substituted), target, cacheFrom, options', () => {
    const dc = parse('{"build":{"dockerfile":"Dockerfile","context":"..","args":{"HOME_DIR":"${localEnv:HOME}"},"target":"dev","cacheFrom":"app:cache","options":["--network=host"]}}');
    expect(dc.build).toEqual({ dockerfile: 'Dockerfile', context: '..', args: { HOME_DIR: '/home/me' }, target: 'dev', cacheFrom: ['app:cache'], options: ['--network=host'] });
    // The image is tagged once the project layer has hashed the build's inputs.
    expect(dc.json.image).toBe('');
  });

  it('the legacy dockerFile and context; the context defaults to the folder of devcontainer.json', () => {
    expect(parse('{"dockerFile":"../Dockerfile","context":".."}').build).toMatchObject({ dockerfile: '../Dockerfile', context: '..' });
    expect(parse('{"build":{"dockerfile":"Dockerfile"}}').build).toMatchObject({ context: '.', args: {}, cacheFrom: [], options: [] });
  });

  it('a Dockerfile wins over image, as with the reference CLI', () => {
    const dc = parse('{"image":"ubuntu:24.04","build":{"dockerfile":"Dockerfile"}}');
    expect(dc.build?.dockerfile).toBe('Dockerfile');
  });

  it('bad input names the file, line, column and key', () => {
    expect(() => parse('{\n"build":{"context":".."}}')).toThrow(/^dc\.json:2:\d+: build\.dockerfile: is required/);
    expect(() => parse('{\n"build":{"dockerfile":"D","args":{"A":1}}}')).toThrow(/^dc\.json:2:\d+: build\.args\.A: expected a string/);
    expect(() => parse('{\n"build":{"dockerfile":"D","target":""}}')).toThrow(/^dc\.json:2:\d+: build\.target: must not be empty/);
    expect(() => parse('{\n"build":{"dockerfile":"D","platform":"x"}}')).toThrow(/^dc\.json:2:\d+: .*platform/);
    expect(() => parse('{\n"name":"x"}')).toThrow(/^dc\.json:1:1: image: is required, or build\.dockerfile/);
  });
});

describe('devcontainer.json: features', () => {
  it('each reference is classified as the reference CLI does: registry, local, tarball', () => {
    const dc = parse('{"image":"debian:12","features":{"ghcr.io/devcontainers/features/node:1":{"version":"20"},"./local":true,"https://example.com/f/devcontainer-feature-go.tgz":"1.22","localhost:5000/ns/f":{}}}');
    expect(dc.features!.map((f) => [f.id, f.source.kind, f.value])).toEqual([
      ['ghcr.io/devcontainers/features/node:1', 'oci', { version: '20' }],
      ['./local', 'local', true],
      ['https://example.com/f/devcontainer-feature-go.tgz', 'tarball', '1.22'],
      ['localhost:5000/ns/f', 'oci', {}],
    ]);
    expect(dc.features![3]!.source).toMatchObject({ registry: 'localhost:5000', path: 'ns/f', tag: 'latest', resource: 'localhost:5000/ns/f' });
  });

  it('refuses the forms it cannot fetch, naming the feature: a bare legacy name, a GitHub release, http://, an absolute path', () => {
    expect(() => parse('{"image":"a","features":{"node":{}}}')).toThrow(/^dc\.json:1:\d+: features\.node: a bare name is a legacy feature.*\.\/node/);
    expect(() => parse('{"image":"a","features":{"owner/repo/feature":{}}}')).toThrow(/features\.owner\/repo\/feature: "owner" is not a registry host/);
    expect(() => parse('{"image":"a","features":{"http://x.com/devcontainer-feature-a.tgz":{}}}')).toThrow(/must use https/);
    expect(() => parse('{"image":"a","features":{"https://x.com/a.tgz":{}}}')).toThrow(/devcontainer-feature-<feature-id>\.tgz/);
    expect(() => parse('{"image":"a","features":{"/abs/f":{}}}')).toThrow(/absolute path/);
    expect(() => parse('{"image":"a","features":{"ghcr.io/x/f":7}}')).toThrow(/^dc\.json:1:\d+: features\.ghcr\.io\/x\/f: expected an object of options, a version string, or true\/false/);
    expect(() => parse('{"image":"a","overrideFeatureInstallOrder":["node"]}')).toThrow(/overrideFeatureInstallOrder\[0\]: "node": a bare name/);
  });

  it('legacy top-level extensions and settings are accepted and ignored, with a note', () => {
    const dc = parse('{"image":"a","extensions":["ms-python.python"],"settings":{"x":1}}');
    expect(dc.notes).toEqual([
      'dc.json: extensions: a legacy property (now customizations.vscode.extensions); ignored',
      'dc.json: settings: a legacy property (now customizations.vscode.settings); ignored',
    ]);
  });
});
