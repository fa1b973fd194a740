import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../lib/errors.js';
import { shown } from '../lib/shown.js';
import { aliasCommands } from './aliases.js';
import { deepMerge, destinationConfigPath, isMapping, secretsFiles, setByOverlay, stateFileName } from './destination.js';
import { expandHome } from './home.js';
import { firstIssue, formatIssues } from './format-issues.js';
import { checkGitConfig } from './git-check.js';
import { checkRegistryConfig } from './registry-schema.js';
import { invalidDockerName, workspaceName } from './naming.js';
import { providerKeys } from '../providers/registry.js';
import { ConfigSchema, KNOWN_KEYS, type Config } from './schema.js';

/** A validated configuration with every path made absolute. */
export interface LoadedConfig {
  /** The config file as the user named it, for messages. */
  file: string;
  /** The file that set the value at a key path: a destination's file or `file` (for messages). */
  fileOf(keys: readonly PropertyKey[]): string;
  /** The project folder: where kamal-dev runs, as with Kamal. */
  root: string;
  config: Config;
  /** `aliases:` as words (empty when LoadOptions.commands was not given). */
  aliases: Map<string, string[]>;
  /** `image:` names a devcontainer.json (absolute path) or is an image reference. */
  source: { kind: 'devcontainer'; path: string } | { kind: 'image'; ref: string };
  /** `-d NAME`, whose config/dev.NAME.yml was merged over config/dev.yml; undefined without -d. */
  destination: string | undefined;
  /** The secrets file read last: `secrets_file`, or `<secrets_file>.NAME` with a destination. */
  secretsFile: string;
  /** The one read before it: `<secrets_file>-common`. */
  secretsCommonFile: string;
  /** ssh.key_path, or the default key found (see DEFAULT_KEY_PATHS); the first default when none exists. */
  publicKeyPath: string;
  privateKeyPath: string;
  /**
   * Why the SSH public key cannot be used (it does not exist), undefined when it can. Not an error at load
   * time: `config` and `deploy --dry-run` show it as a warning, a real deploy refuses with it (see sshKeyProblem).
   */
  keyProblem: string | undefined;
  statePath: string;
}

/** The public keys tried when ssh.key_path is not set, in OpenSSH's order of default identities. */
export const DEFAULT_KEY_PATHS = ['~/.ssh/id_ed25519.pub', '~/.ssh/id_ecdsa.pub', '~/.ssh/id_rsa.pub'] as const;

/** The first of DEFAULT_KEY_PATHS that exists in `home`, as listed there (`~/.ssh/…`); undefined when none does. */
export function findDefaultKey(home: string): string | undefined {
  return DEFAULT_KEY_PATHS.find((key) => existsSync(expandHome(key, home)));
}

/**
 * What keeps a deploy from using the SSH key pair: the public key's problem (LoadedConfig.keyProblem), else a
 * private key that is neither beside it nor replaceable by a running agent (`agent`: SSH_AUTH_SOCK).
 */
export function sshKeyProblem(config: LoadedConfig, agent: string | undefined): string | undefined {
  if (config.keyProblem !== undefined) return config.keyProblem;
  if (!existsSync(config.privateKeyPath) && !agent) {
    return `${config.fileOf(['ssh', 'key_path'])}: ssh.key_path: the private key ${shown(config.privateKeyPath, 120)} does not exist and no SSH agent is running (SSH_AUTH_SOCK)`;
  }
  return undefined;
}

/** Parses YAML text into a plain value, reporting the first syntax error with line and column. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${where}: YAML syntax error: ${message}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * Validates parsed YAML as a dev.yml. Pure: no file is read. `fileOf` names the file that set the value at a
 * key path (a destination's file or the base), for messages; by default `file`.
 */
export function validateConfig(data: unknown, file: string, fileOf: (keys: readonly PropertyKey[]) => string = () => file): Config {
  if (data === null || data === undefined) {
    throw new ConfigError(`${file}: the file is empty; expected a mapping with service, provider, …`, {
      hint: 'Run `kamal-dev init` to write a commented example.',
    });
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${file}: expected a mapping at the top level, got ${Array.isArray(data) ? 'a list' : typeof data}`);
  }
  const result = ConfigSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const provider = (data as { provider?: { type?: unknown } }).provider;
    const known = { ...KNOWN_KEYS, provider: providerKeys(provider?.type) };
    const first = firstIssue(result.error.issues);
    const keys = first ? [...first.path, ...(first.code === 'unrecognized_keys' ? first.keys.slice(0, 1) : [])] : [];
    throw new ConfigError(`${fileOf(keys)}: ${formatIssues(result.error.issues, known)}`);
  }
  const config = result.data;
  for (const index of [1, 100]) {
    const problem = invalidDockerName(workspaceName(config.naming.pattern, config.service, index));
    if (problem) throw new ConfigError(`${fileOf(['naming', 'pattern'])}: naming.pattern: yields ${problem}`);
  }
  checkGitConfig(config, fileOf);
  checkRegistryConfig(config, fileOf);
  return config;
}

export interface LoadOptions {
  cwd: string;
  home?: string;
  /** `-d NAME`: config/dev.NAME.yml is merged over the config file (an already validated name). */
  destination?: string | undefined;
  /** The program's command names: aliases may not shadow them and must start with one. */
  commands?: readonly string[] | undefined;
}

function readConfigFile(absolute: string, shownPath: string, missingHint: string): string {
  try {
    return readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `${shownPath}: no such file` : `${shownPath}: cannot read (${code ?? String(error)})`,
      code === 'ENOENT' ? { hint: missingHint } : {},
    );
  }
}

/**
 * The config file's data with the destination's file merged over it (Kamal's deep merge), and which file set
 * a key. An empty destination file changes nothing.
 */
function readMerged(configPath: string, absolute: string, destination: string | undefined): { data: unknown; fileOf: (keys: readonly PropertyKey[]) => string } {
  const base = parseYaml(readConfigFile(absolute, configPath, 'Run `kamal-dev init` to create one, or pass -c PATH.'), configPath);
  if (destination === undefined) return { data: base, fileOf: () => configPath };
  const destPath = destinationConfigPath(configPath, destination);
  const text = readConfigFile(destinationConfigPath(absolute, destination), destPath, `Create it for destination ${destination}, or run without -d.`);
  const overlay = parseYaml(text, destPath) ?? {};
  if (!isMapping(overlay)) throw new ConfigError(`${destPath}: expected a mapping at the top level, got ${Array.isArray(overlay) ? 'a list' : typeof overlay}`);
  // A base that is not a mapping is reported by validateConfig, naming the base file.
  if (!isMapping(base)) return { data: base, fileOf: () => configPath };
  return { data: deepMerge(base, overlay), fileOf: (keys) => (setByOverlay(overlay, keys) ? destPath : configPath) };
}

/** The SSH public key to use and, when it does not exist, why (a message naming the config file and key). */
function resolvePublicKey(configPath: string, keyPath: string | undefined, root: string, home: string): { path: string; problem: string | undefined } {
  if (keyPath !== undefined) {
    const absolute = path.resolve(root, expandHome(keyPath, home));
    const problem = existsSync(absolute)
      ? undefined
      : `${configPath}: ssh.key_path: ${shown(absolute, 120)} does not exist; point ssh.key_path at an SSH public key (\`ssh-keygen -t ed25519\` makes one)`;
    return { path: absolute, problem };
  }
  const found = findDefaultKey(home);
  const problem =
    found === undefined
      ? `${configPath}: no SSH key: ssh.key_path is not set and none of ${DEFAULT_KEY_PATHS.join(', ')} exists; create one with \`ssh-keygen -t ed25519\` or set ssh.key_path`
      : undefined;
  return { path: expandHome(found ?? DEFAULT_KEY_PATHS[0], home), problem };
}

/**
 * Reads, parses and validates a dev.yml and resolves the paths it names. A missing SSH key is not an error
 * here but LoadedConfig.keyProblem: only a real deploy needs the key.
 */
export function loadConfig(configPath: string, options: LoadOptions): LoadedConfig {
  const { cwd } = options;
  const home = options.home ?? homedir();
  const absolute = path.resolve(cwd, expandHome(configPath, home));
  const { destination } = options;
  const merged = readMerged(configPath, absolute, destination);
  const config = validateConfig(merged.data, configPath, merged.fileOf);
  const aliases = options.commands === undefined ? new Map<string, string[]>() : aliasCommands(config.aliases ?? {}, options.commands, (name) => merged.fileOf(['aliases', name]));
  const root = cwd;
  const key = resolvePublicKey(merged.fileOf(['ssh', 'key_path']), config.ssh.key_path, root, home);
  const secrets = secretsFiles(path.resolve(root, expandHome(config.secrets_file, home)), destination);
  const source = config.image.endsWith('.json')
    ? ({ kind: 'devcontainer', path: path.resolve(root, expandHome(config.image, home)) } as const)
    : ({ kind: 'image', ref: config.image } as const);
  return {
    file: configPath,
    fileOf: merged.fileOf,
    root,
    config,
    aliases,
    source,
    destination,
    secretsFile: secrets.main,
    secretsCommonFile: secrets.common,
    publicKeyPath: key.path,
    privateKeyPath: key.path.replace(/\.pub$/, ''),
    keyProblem: key.problem,
    statePath: path.resolve(root, stateFileName(destination)),
  };
}
