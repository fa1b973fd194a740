import path from 'node:path';
import type { z } from 'zod';
import { formatIssue, keyPath } from '../config/format-issues.js';
import { ConfigError } from '../lib/errors.js';
import { shown } from '../lib/shown.js';
import { parseJsonc, type JsoncDocument } from './jsonc.js';
import { composeSettings, type ComposeBundle, type ComposeSettings } from './compose-config.js';
import { parseFeatureRef } from './features/reference.js';
import type { FeatureSource, FeatureValue } from './features/types.js';
import type { BuildRequest, ImageSource } from './image-source.js';
import { mountStringProblem } from './mounts.js';
import { rawMountSource } from './workspace-mounts.js';
import { DEVCONTAINER_KEYS, DevcontainerSchema, type DevcontainerJson } from './schema.js';
import { findNamelessEnv, substituteDeep, substituteString, type VariableLookup } from './variables.js';

/** A validated devcontainer.json with the local variables substituted (per-workspace ones are left for the plan). */
export interface Devcontainer {
  /** The file as the user named it (for messages); undefined when dev.yml's `image:` is an image reference. */
  file: string | undefined;
  json: DevcontainerJson & { image: string };
  image: ImageSource;
  /** The resolved workspaceFolder (default `/workspaces/<basename of the project folder>`). */
  workspaceFolder: string;
  /** Docker Compose: the properties as parsed here; `compose` once src/project has read the files. */
  composeSettings?: ComposeSettings;
  compose?: ComposeBundle;
  /** A Dockerfile build: `json.image` is then '' until the project layer has tagged the build (see prepareImageInputs). */
  build?: DockerfileRequest | undefined;
  /** `features` in key order, each reference checked; empty when there are none. */
  features?: FeatureRequest[] | undefined;
  /** overrideFeatureInstallOrder, as sources. */
  featureOrder?: FeatureSource[] | undefined;
  /** Properties accepted and ignored (legacy ones), for the plan's warnings. */
  notes?: string[] | undefined;
  /** The source of each of `json.mounts` as written, before substitution (see workspace-mounts.ts). */
  mountSources?: (string | undefined)[] | undefined;
}

/** A Dockerfile build as devcontainer.json writes it: the shape of BuildRequest, its paths relative to devcontainer.json's folder. */
export type DockerfileRequest = BuildRequest;

export interface FeatureRequest {
  /** The key in `features`, as written. */
  id: string;
  value: FeatureValue;
  source: FeatureSource;
}

export interface LocalContext {
  /** The local environment, for `${localEnv:…}`. */
  env: Readonly<Record<string, string | undefined>>;
  /** The project folder (where kamal-dev runs). */
  projectFolder: string;
}

/** In these properties `${localWorkspaceFolder}` names the workspace's folder on the VM, known only per workspace. */
const MOUNT_KEYS = new Set<PropertyKey>(['mounts', 'workspaceMount']);

function localLookup(ctx: LocalContext, workspaceFolder: string | undefined, inMount: boolean): VariableLookup {
  return (name, args) => {
    switch (name) {
      case 'localEnv':
      case 'env':
        return ctx.env[args[0] ?? ''] ?? args[1] ?? '';
      case 'localWorkspaceFolder':
        return inMount ? undefined : ctx.projectFolder;
      case 'localWorkspaceFolderBasename':
        return path.basename(ctx.projectFolder);
      case 'containerWorkspaceFolder':
        return workspaceFolder;
      case 'containerWorkspaceFolderBasename':
        return workspaceFolder === undefined ? undefined : path.posix.basename(workspaceFolder);
      default:
        return undefined;
    }
  };
}

function received(input: unknown): string {
  if (input === undefined || (typeof input === 'object' && input !== null)) return '';
  const text = typeof input === 'string' ? shown(input, 40) : String(input);
  return `, got ${text}`;
}

/** `key.path: message, got <value>`; unknown keys get a "did you mean". */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return formatIssue(issue, DEVCONTAINER_KEYS);
  const input = 'input' in issue && issue.code !== 'custom' ? issue.input : undefined;
  return `${keyPath(issue.path) || '(root)'}: ${issue.message}${received(input)}`;
}

/** Parses and validates devcontainer.json text. Pure: the caller reads the file. */
/** Deeper than any real devcontainer.json: refused, so that no recursive step (parser, variables) overflows. */
const MAX_DEPTH = 64;

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (node !== null && typeof node === 'object') for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function parseDevcontainer(text: string, file: string, ctx: LocalContext): Devcontainer {
  let doc: JsoncDocument;
  try {
    doc = parseJsonc(text, file);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    doc = { value: undefined, locate: () => '1:1' };
  }
  if (doc.value === undefined || depthOf(doc.value) > MAX_DEPTH) {
    throw new ConfigError(`${file}: nested more than ${MAX_DEPTH} levels deep; not a devcontainer.json kamal-dev can read`);
  }
  const raw = doc.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file}:1:1: expected a JSON object at the top level, got ${Array.isArray(raw) ? 'an array' : String(raw)}`);
  }
  const result = DevcontainerSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`${file}:${doc.locate(issue.path)}: ${describeIssue(issue)}`);
  }
  const json = result.data;
  const where = (at: PropertyKey[]) => `${file}:${doc.locate(at)}: ${keyPath(at)}`;
  const compose = json.dockerComposeFile === undefined ? undefined : composeSettings(json, file, (key) => where([key]));
  const dockerfile = compose === undefined ? (json.build?.dockerfile ?? json.dockerFile) : undefined;
  if (compose === undefined && json.build !== undefined && dockerfile === undefined) throw new ConfigError(`${where(['build'])}.dockerfile: is required (the Dockerfile, relative to devcontainer.json)`);
  if (json.image === undefined && dockerfile === undefined && compose === undefined) {
    throw new ConfigError(`${file}:1:1: image: is required, or build.dockerfile, or dockerComposeFile`);
  }
  const features: FeatureRequest[] = [];
  for (const [id, value] of Object.entries(json.features ?? {})) {
    const source = parseFeatureRef(id);
    if ('problem' in source) throw new ConfigError(`${where(['features', id])}: ${source.problem}`);
    features.push({ id, value, source });
  }
  const featureOrder: FeatureSource[] = [];
  for (const [i, id] of (json.overrideFeatureInstallOrder ?? []).entries()) {
    const source = parseFeatureRef(id);
    if ('problem' in source) throw new ConfigError(`${where(['overrideFeatureInstallOrder', i])}: "${id}": ${source.problem}`);
    featureOrder.push(source);
  }
  const notes = (['extensions', 'settings'] as const)
    .filter((key) => json[key] !== undefined)
    .map((key) => `${file}: ${key}: a legacy property (now customizations.vscode.${key}); ignored`);
  const nameless = findNamelessEnv(json);
  if (nameless) throw new ConfigError(`${where(nameless)}: \${localEnv} needs a variable name, as in \${localEnv:HOME}`);
  for (const [i, mount] of (json.mounts ?? []).entries()) {
    const problem = typeof mount === 'string' ? mountStringProblem(mount) : undefined;
    if (problem) throw new ConfigError(`${where(['mounts', i])}: mount "${mount as string}" ${problem}`);
  }
  if (json.workspaceMount) {
    const problem = mountStringProblem(json.workspaceMount);
    if (problem) throw new ConfigError(`${where(['workspaceMount'])}: ${problem}`);
  }

  const rawFolder = json.workspaceFolder === undefined ? undefined : substituteString(json.workspaceFolder, localLookup(ctx, undefined, false));
  const workspaceFolder = rawFolder || `/workspaces/${path.basename(ctx.projectFolder)}`;
  if (!workspaceFolder.startsWith('/')) {
    throw new ConfigError(`${where(['workspaceFolder'])}: expected an absolute path inside the container, got "${workspaceFolder}"`);
  }
  const substituted = substituteDeep(json, (at) => localLookup(ctx, workspaceFolder, MOUNT_KEYS.has(at[0] ?? '')));
  const mountSources = (json.mounts ?? []).map(rawMountSource);
  if (compose) {
    // The service's image comes from the compose files (src/project/compose-image-inputs.ts); `image` is not used.
    return { file, json: { ...substituted, image: '' }, image: { kind: 'pull', ref: '' }, workspaceFolder, composeSettings: compose, features, featureOrder, notes, mountSources };
  }
  if (dockerfile !== undefined) {
    const b = substituted.build;
    const cacheFrom = b?.cacheFrom === undefined ? [] : typeof b.cacheFrom === 'string' ? [b.cacheFrom] : b.cacheFrom;
    const build: DockerfileRequest = {
      dockerfile: b?.dockerfile ?? substituted.dockerFile ?? dockerfile,
      context: b?.context ?? substituted.context ?? '.',
      args: b?.args ?? {},
      target: b?.target,
      cacheFrom,
      options: b?.options ?? [],
    };
    return { file, json: { ...substituted, image: '' }, image: { kind: 'pull', ref: '' }, workspaceFolder, build, features, featureOrder, notes, mountSources };
  }
  const image = substituted.image ?? '';
  if (image.trim() === '') throw new ConfigError(`${where(['image'])}: is empty once its variables are substituted ("${json.image}")`);
  return { file, json: { ...substituted, image }, image: { kind: 'pull', ref: image }, workspaceFolder, features, featureOrder, notes, mountSources };
}

/** The devcontainer of a dev.yml whose `image:` is an image reference: every property at its default. */
export function imageOnlyDevcontainer(image: string, ctx: LocalContext): Devcontainer {
  return { file: undefined, json: { image }, image: { kind: 'pull', ref: image }, workspaceFolder: `/workspaces/${path.basename(ctx.projectFolder)}` };
}
