import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ConfigError } from '../lib/errors.js';
import type { ComposeServiceDefinition } from './compose-service.js';

/** devcontainer.json's Docker Compose properties, resolved (docs/configuration.md#docker-compose). */
export interface ComposeSettings {
  /** The compose files, relative to the project folder, in the order Compose merges them. */
  files: string[];
  /** The workspace's container. */
  service: string;
  /** The services `up` starts (the workspace's service among them); undefined: all of them. */
  runServices: string[] | undefined;
  /** `<file>:<line>:<col>: service` and `… runServices`, for messages about those keys. */
  serviceAt: string;
  runServicesAt: string;
}

/** What the compose files hold that kamal-dev needs: their services, and the other files they name. */
export interface ComposeProject extends ComposeSettings {
  /** Every service of the merged files, sorted. */
  services: string[];
  /**
   * Project-relative paths that are uploaded with the files: the build contexts the services name, and the
   * `.env` and `env_file`s they read when they exist (see existing in composeProject).
   */
  uploads: string[];
}

/** Where each key is, for messages: `<file>:<line>:<col>: <key>`. */
export type KeyLocator = (key: 'dockerComposeFile' | 'service' | 'runServices' | 'workspaceFolder') => string;

/** A project-relative path, or undefined when `relative` (from `base`, itself project-relative) leaves the project. */
function insideProject(base: string, relative: string): string | undefined {
  if (path.posix.isAbsolute(relative)) return undefined;
  const joined = path.posix.normalize(path.posix.join(base, relative));
  if (path.posix.isAbsolute(joined) || joined === '..' || joined.startsWith('../')) return undefined;
  return joined === '' ? '.' : joined;
}

/**
 * The Compose properties of a devcontainer.json named `file` (relative to the project folder): its compose files
 * resolved against its folder, `service` required, and `workspaceFolder` required (Compose has no default mount).
 */
export function composeSettings(
  json: { dockerComposeFile?: string | string[] | undefined; service?: string | undefined; runServices?: string[] | undefined; workspaceFolder?: string | undefined },
  file: string,
  at: KeyLocator,
): ComposeSettings {
  const listed = typeof json.dockerComposeFile === 'string' ? [json.dockerComposeFile] : (json.dockerComposeFile ?? []);
  const dir = path.posix.dirname(file.split(path.sep).join('/'));
  const files = listed.map((entry) => {
    const resolved = insideProject(dir, entry);
    if (resolved === undefined) throw new ConfigError(`${at('dockerComposeFile')}: "${entry}" is outside the project folder (kamal-dev uploads the project's compose files only)`);
    return resolved;
  });
  if (json.service === undefined) throw new ConfigError(`${at('dockerComposeFile')}: service: is required with dockerComposeFile (the service that is the workspace's container)`);
  if (json.workspaceFolder === undefined) {
    throw new ConfigError(`${at('dockerComposeFile')}: workspaceFolder: is required with dockerComposeFile (where the workspace is mounted in the service's container)`);
  }
  const runServices = json.runServices === undefined ? undefined : [...new Set([...json.runServices, json.service])];
  return { files, service: json.service, runServices, serviceAt: at('service'), runServicesAt: at('runServices') };
}

/** `<file>:<line>:<col>` of a YAML node, or just `<file>` when the node has no position. */
function position(file: string, range: readonly number[] | null | undefined, text: string): string {
  if (!range) return file;
  const before = text.slice(0, range[0]).split('\n');
  return `${file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

interface FileServices {
  services: string[];
  /** Build contexts, relative to the project directory (the folder of the first file), as written. */
  contexts: string[];
  envFiles: string[];
}

/** The services of one compose file and the paths it names. Throws a ConfigError naming the file (and line). */
export function parseComposeFile(text: string, file: string): FileServices {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const where = error.linePos ? `${file}:${error.linePos[0].line}:${error.linePos[0].col}` : file;
    throw new ConfigError(`${where}: not a YAML file Compose can read (${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')})`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) return { services: [], contexts: [], envFiles: [] };
  if (!isMap(root)) throw new ConfigError(`${position(file, root.range, text)}: expected a mapping at the top level of a compose file`);
  const services = root.get('services', true);
  if (services === undefined || services === null || (isScalar(services) && services.value === null)) return { services: [], contexts: [], envFiles: [] };
  if (!isMap(services)) throw new ConfigError(`${position(file, (services as { range?: number[] }).range, text)}: services: expected a mapping of service names`);
  const result: FileServices = { services: [], contexts: [], envFiles: [] };
  for (const pair of services.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    result.services.push(name);
    const service = pair.value;
    if (!isMap(service)) continue;
    const build = service.get('build', true);
    if (isScalar(build) && typeof build.value === 'string') result.contexts.push(build.value);
    if (isMap(build)) {
      const context = build.get('context', true);
      result.contexts.push(isScalar(context) && typeof context.value === 'string' ? context.value : '.');
    }
    const envFile = service.get('env_file', true);
    if (isScalar(envFile) && typeof envFile.value === 'string') result.envFiles.push(envFile.value);
    if (isSeq(envFile)) {
      for (const item of envFile.items) {
        if (isScalar(item) && typeof item.value === 'string') result.envFiles.push(item.value);
        if (isMap(item)) {
          const p = item.get('path', true);
          if (isScalar(p) && typeof p.value === 'string') result.envFiles.push(p.value);
        }
      }
    }
  }
  return result;
}

/** A build context that is a Git or HTTP URL: Compose fetches it on the VM, nothing is uploaded. */
const REMOTE_CONTEXT = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i;

export function isRemoteContext(context: string): boolean {
  return REMOTE_CONTEXT.test(context);
}

/**
 * The compose project from the files' texts (read by the caller, in `settings.files` order): every service,
 * `service` and `runServices` among them, and what must be uploaded with the files. `existing` says whether a
 * project-relative path exists on this machine (for the optional `.env` and `env_file`s).
 */
export function composeProject(settings: ComposeSettings, texts: readonly string[], existing: (file: string) => boolean): ComposeProject {
  const projectDir = path.posix.dirname(settings.files[0]!);
  const services = new Set<string>();
  const uploads = new Set<string>();
  settings.files.forEach((file, i) => {
    const parsed = parseComposeFile(texts[i]!, file);
    for (const name of parsed.services) services.add(name);
    for (const context of parsed.contexts) {
      if (isRemoteContext(context)) continue;
      const resolved = insideProject(projectDir, context);
      if (resolved === undefined) throw new ConfigError(`${file}: build context "${context}" is outside the project folder (kamal-dev uploads the project's files only)`);
      uploads.add(resolved);
    }
    for (const envFile of parsed.envFiles) {
      const resolved = insideProject(projectDir, envFile);
      if (resolved !== undefined && existing(resolved)) uploads.add(resolved);
    }
  });
  const dotEnv = insideProject(projectDir, '.env')!;
  if (existing(dotEnv)) uploads.add(dotEnv);
  const sorted = [...services].sort();
  const known = sorted.length ? sorted.join(', ') : '(none)';
  const files = settings.files.join(', ');
  if (!services.has(settings.service)) throw new ConfigError(`${settings.serviceAt}: "${settings.service}" is not a service of ${files}; services there: ${known}`);
  for (const name of settings.runServices ?? []) {
    if (!services.has(name)) throw new ConfigError(`${settings.runServicesAt}: "${name}" is not a service of ${files}; services there: ${known}`);
  }
  for (const file of settings.files) uploads.delete(file);
  return { ...settings, services: sorted, uploads: [...uploads].sort() };
}

/** A compose project ready to upload: `pack` makes a tar of its files and uploads, relative to the project folder. */
export interface ComposeBundle extends ComposeProject {
  /** The workspace service as the files define it (its image or build, entrypoint, command). */
  definition: ComposeServiceDefinition;
  pack(): Promise<Buffer>;
}
