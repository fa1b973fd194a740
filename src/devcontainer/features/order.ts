import { ConfigError } from '../../lib/errors.js';
import type { FeatureSource, FeatureValue, ResolvedFeature } from './types.js';

const kindOf = (value: unknown): string => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/** The reference CLI's comparison of option values as written (not after defaults); 0 means equal. */
export function compareOptions(a: FeatureValue, b: FeatureValue): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) return ka.localeCompare(kb);
  if (typeof a === 'string') return a.localeCompare(b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  const keysA = Object.keys(oa).sort();
  const keysB = Object.keys(ob).sort();
  if (keysA.length !== keysB.length) return keysA.length - keysB.length;
  for (let i = 0; i < keysA.length; i++) {
    const byName = keysA[i]!.localeCompare(keysB[i]!);
    if (byName !== 0) return byName;
  }
  for (const key of keysA) {
    const va = oa[key];
    const vb = ob[key];
    // Values of different types under one key are not compared (the reference treats them as equal).
    if (typeof va !== typeof vb) continue;
    if (typeof va === 'string' && va !== vb) return va.localeCompare(vb as string);
    if (typeof va === 'boolean' && va !== vb) return Number(va) - Number(vb);
    if (typeof va === 'number' && va !== vb) return va - (vb as number);
  }
  return 0;
}

function compareSource(a: FeatureSource, b: FeatureSource): number {
  if (a.kind === 'oci' && b.kind === 'oci') {
    const byResource = a.resource.localeCompare(b.resource);
    if (byResource !== 0) return byResource;
    if (a.tag !== undefined && b.tag !== undefined && a.tag !== b.tag) return a.tag.localeCompare(b.tag);
    return 0;
  }
  if (a.kind === 'local' && b.kind === 'local') return a.path.localeCompare(b.path);
  if (a.kind === 'tarball' && b.kind === 'tarball') return a.url.localeCompare(b.url);
  return a.kind.localeCompare(b.kind);
}

/** The reference CLI's order of two features (and so their equality: 0). */
export function compareFeatures(a: ResolvedFeature, b: ResolvedFeature): number {
  if (a.source.kind !== b.source.kind) return a.userId.localeCompare(b.userId);
  if (a.source.kind === 'oci' && a.digest !== undefined && a.digest === b.digest && compareOptions(a.value, b.value) === 0) return 0;
  const bySource = compareSource(a.source, b.source);
  if (bySource !== 0) return bySource;
  const byOptions = compareOptions(a.value, b.value);
  if (byOptions !== 0) return byOptions;
  if (a.digest !== undefined && b.digest !== undefined) return a.digest.localeCompare(b.digest);
  return 0;
}

/** Whether `feature` is what a soft dependency (installsAfter, an override entry) names: the same feature, any version. */
export function satisfies(feature: ResolvedFeature, wanted: FeatureSource): boolean {
  const { source } = feature;
  if (source.kind === 'oci' && wanted.kind === 'oci') {
    if (source.resource === wanted.resource) return true;
    const namespace = wanted.path.split('/').slice(0, -1).join('/');
    const aliases = [feature.metadata.currentId ?? feature.metadata.id, ...(feature.metadata.legacyIds ?? [])];
    return aliases.some((alias) => alias !== undefined && `${wanted.registry}/${namespace}/${alias}` === source.resource);
  }
  if (source.kind === 'local' && wanted.kind === 'local') return source.path === wanted.path;
  if (source.kind === 'tarball' && wanted.kind === 'tarball') return source.url === wanted.url;
  return false;
}

/** Every feature of the graph once (equal ones, as compareFeatures says, merged), dependencies included. */
export function flattenFeatures(roots: readonly ResolvedFeature[]): ResolvedFeature[] {
  const seen: ResolvedFeature[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (seen.some((other) => compareFeatures(other, node) === 0)) continue;
    seen.push(node);
    queue.push(...node.dependsOn);
  }
  return seen;
}

/**
 * The install order, as the reference CLI computes it: rounds of the features whose hard dependencies are all
 * installed and whose soft ones (present in the set) are too; of those, only the highest override priority;
 * each round sorted. A cycle is a ConfigError naming `file` and the features left.
 */
export function installOrder(roots: readonly ResolvedFeature[], override: readonly FeatureSource[], file: string): ResolvedFeature[] {
  const nodes = flattenFeatures(roots);
  const priority = new Map<ResolvedFeature, number>(nodes.map((node) => [node, 0]));
  override.forEach((wanted, i) => {
    for (const node of nodes) if (satisfies(node, wanted)) priority.set(node, Math.max(priority.get(node)!, override.length - i));
  });
  const soft = new Map(nodes.map((node) => [node, node.installsAfter.filter((wanted) => nodes.some((other) => other !== node && satisfies(other, wanted)))]));
  const order: ResolvedFeature[] = [];
  let worklist = [...nodes];
  while (worklist.length > 0) {
    const installed = (dependency: ResolvedFeature) => order.some((done) => compareFeatures(done, dependency) === 0);
    const ready = worklist.filter(
      (node) => node.dependsOn.every(installed) && soft.get(node)!.every((wanted) => order.some((done) => satisfies(done, wanted))),
    );
    if (ready.length === 0) {
      const left = worklist.map((node) => node.userId).join(', ');
      throw new ConfigError(`${file}: features: a dependency cycle (dependsOn/installsAfter) among ${left}; no install order exists`);
    }
    const top = Math.max(...ready.map((node) => priority.get(node)!));
    const round = ready.filter((node) => priority.get(node) === top).sort(compareFeatures);
    worklist = worklist.filter((node) => !round.some((chosen) => compareFeatures(chosen, node) === 0));
    order.push(...round);
  }
  return order;
}
