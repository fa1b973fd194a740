import path from 'node:path';
import type { FeatureSource } from './types.js';

const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const NAME = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TARBALL = /^devcontainer-feature-([a-zA-Z0-9_-]+)\.tgz$/;

/** Why a feature reference cannot be used, or its source. Pure: nothing is fetched. */
export function parseFeatureRef(id: string): FeatureSource | { problem: string } {
  if (id.startsWith('https://')) {
    const name = new URL(id).pathname.split('/').at(-1) ?? '';
    const match = TARBALL.exec(name);
    if (!match) return { problem: "a tarball URL must end in 'devcontainer-feature-<feature-id>.tgz'" };
    return { kind: 'tarball', url: id, id: match[1]! };
  }
  if (id.startsWith('http://')) return { problem: 'a tarball URL must use https://' };
  if (id.startsWith('./') || id.startsWith('../')) {
    const normalised = path.posix.normalize(id.replaceAll('\\', '/'));
    return { kind: 'local', path: normalised };
  }
  if (id.startsWith('/')) return { problem: 'an absolute path to a local feature is not allowed (write it relative to devcontainer.json, as ./name)' };
  if (!id.includes('/')) return { problem: `a bare name is a legacy feature kamal-dev does not support; write ./${id} for a local feature or a registry reference` };
  return parseOciRef(id);
}

/** `registry/namespace/id[:tag|@sha256:digest]`, lowercased, `:latest` when there is neither. */
export function parseOciRef(input: string): FeatureSource | { problem: string } {
  const id = input.toLowerCase();
  if (id.startsWith('.')) return { problem: 'not a registry reference' };
  let rest = id;
  let tag: string | undefined;
  let digest: string | undefined;
  const at = id.lastIndexOf('@');
  if (at >= 0) {
    digest = id.slice(at + 1);
    rest = id.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return { problem: 'a digest must be sha256:<64 hex digits>' };
  } else {
    const colon = id.lastIndexOf(':');
    if (colon > id.lastIndexOf('/')) {
      tag = id.slice(colon + 1);
      rest = id.slice(0, colon);
      if (!TAG.test(tag)) return { problem: `"${tag}" is not a valid tag` };
    } else {
      tag = 'latest';
    }
  }
  const segments = rest.split('/');
  if (segments.length < 3) return { problem: 'a registry reference needs a registry, a namespace and an id (registry/namespace/id)' };
  const registry = segments[0]!;
  if (!registry.includes('.') && !registry.startsWith('localhost')) {
    return { problem: `"${registry}" is not a registry host (it has no dot and is not localhost)` };
  }
  const featurePath = segments.slice(1).join('/');
  if (!NAME.test(featurePath)) return { problem: `"${featurePath}" is not a valid repository name` };
  return { kind: 'oci', registry, path: featurePath, id: segments.at(-1)!, tag, digest, resource: `${registry}/${featurePath}` };
}

/** The id without version: the last `:…` or `@…` that has no `/` after it removed. */
export function idWithoutVersion(id: string): string {
  const cut = Math.max(id.lastIndexOf(':'), id.lastIndexOf('@'));
  return cut > id.lastIndexOf('/') ? id.slice(0, cut) : id;
}
