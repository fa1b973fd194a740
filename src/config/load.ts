import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../lib/errors.js';
import { shown } from '../lib/shown.js';
import { expandHome } from './home.js';
import { formatIssues } from './format-issues.js';
import { invalidDockerName, workspaceName } from './naming.js';
import { providerKeys } from '../providers/registry.js';
import { ConfigSchema, KNOWN_KEYS, type Config } from './schema.js';


/** A validated configuration with every path made absolute. */
export interface LoadedConfig {
  /** The config file as the user named it, for messages. */
  file: string;
  /** The project folder: where kamal-dev runs, as with Kamal. */
  root: string;
  config: Config;
  /** `image:` names a devcontainer.json (absolute path) or is an image reference. */
  source: { kind: 'devcontainer'; path: string } | { kind: 'image'; ref: string };
  secretsFile: string;
  publicKeyPath: string;
  privateKeyPath: string;
  statePath: string;
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

/** Validates parsed YAML as a dev.yml. Pure: no file is read. */
export function validateConfig(data: unknown, file: string): Config {
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
    throw new ConfigError(`${file}: ${formatIssues(result.error.issues, known)}`);
  }
  const config = result.data;
  for (const index of [1, 100]) {
    const problem = invalidDockerName(workspaceName(config.naming.pattern, config.service, index));
    if (problem) throw new ConfigError(`${file}: naming.pattern: yields ${problem}`);
  }
  return config;
}

export interface LoadOptions {
  cwd: string;
  home?: string;
  /** false: do not require the SSH public key to exist. */
  requireKey?: boolean;
}

/** Reads, parses and validates a dev.yml, then checks the files it names. */
export function loadConfig(configPath: string, options: LoadOptions): LoadedConfig {
  const { cwd } = options;
  const home = options.home ?? homedir();
  const absolute = path.resolve(cwd, expandHome(configPath, home));
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `${configPath}: no such file` : `${configPath}: cannot read (${code ?? String(error)})`,
      code === 'ENOENT' ? { hint: 'Run `kamal-dev init` to create one, or pass -c PATH.' } : {},
    );
  }
  const config = validateConfig(parseYaml(text, configPath), configPath);
  const root = cwd;
  const publicKeyPath = path.resolve(root, expandHome(config.ssh.key_path, home));
  if (options.requireKey !== false && !existsSync(publicKeyPath)) {
    throw new ConfigError(`${configPath}: ssh.key_path: ${shown(publicKeyPath, 120)} does not exist`, {
      hint: 'Point ssh.key_path at an SSH public key (ssh-keygen -t ed25519 makes one).',
    });
  }
  const source = config.image.endsWith('.json')
    ? ({ kind: 'devcontainer', path: path.resolve(root, expandHome(config.image, home)) } as const)
    : ({ kind: 'image', ref: config.image } as const);
  return {
    file: configPath,
    root,
    config,
    source,
    secretsFile: path.resolve(root, expandHome(config.secrets_file, home)),
    publicKeyPath,
    privateKeyPath: publicKeyPath.replace(/\.pub$/, ''),
    statePath: path.resolve(root, '.kamal/dev_state.yml'),
  };
}
