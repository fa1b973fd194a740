import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { expandHome } from '../config/home.js';
import type { LoadedConfig } from '../config/load.js';
import { requireSecrets, type LoadedSecrets } from '../config/secrets.js';
import { imageOnlyDevcontainer, parseDevcontainer, type Devcontainer } from '../devcontainer/parse.js';
import { ConfigError } from '../lib/errors.js';
import type { Secret } from '../lib/secret.js';
import { providerDefinition } from '../providers/registry.js';
import { loadComposeBundle } from './compose-files.js';
import { prepareComposeImage } from './compose-image-inputs.js';
import { prepareImageInputs } from './image-inputs.js';
import { loadConfigSecrets } from './secrets.js';

export interface PlanInputs {
  devcontainer: Devcontainer;
  /** The secrets listed under `secrets:`, in list order. */
  secrets: Map<string, Secret>;
  /** Every key of the secrets files (provider credentials are looked up here too). */
  allSecrets: LoadedSecrets;
  warnings: string[];
}

export interface PlanInputOptions {
  config: LoadedConfig;
  /** `deploy --from PATH`: a devcontainer.json instead of dev.yml's `image:`. */
  from?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  signal?: AbortSignal | undefined;
}

/** dev.yml's `image:` when it names a devcontainer.json; undefined when it is an image reference. */
function devcontainerPath(config: LoadedConfig): string | undefined {
  return config.source.kind === 'devcontainer' ? config.source.path : undefined;
}

function relativeToRoot(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') ? relative : file;
}

async function readDevcontainer(file: string, name: string): Promise<string> {
  let data: Buffer;
  try {
    if ((await stat(file)).isDirectory()) throw new ConfigError(`${name}: is a folder; expected a devcontainer.json file`);
    data = await readFile(file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${name}: no such file` : `${name}: cannot read (${code ?? String(error)})`, {
      hint: 'Set image: in config/dev.yml to a devcontainer.json path or an image reference, or pass --from PATH.',
    });
  }
  const text = data.toString('utf8');
  const nul = text.indexOf('\u0000');
  const bad = nul !== -1 ? nul : text.indexOf('\uFFFD');
  if (bad !== -1) {
    const before = text.slice(0, bad).split('\n');
    throw new ConfigError(`${name}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}: not a UTF-8 text file (binary data)`);
  }
  return text;
}

/**
 * Loads and validates what a deploy needs besides dev.yml, in the order a user fixes them: the SSH private
 * key, the devcontainer, then the secrets (running their `$(commands)`), every listed one defined.
 * Nothing is created or written.
 */
export async function loadPlanInputs(options: PlanInputOptions): Promise<PlanInputs> {
  const { config, env } = options;
  const warnings: string[] = [];
  const local = { env, projectFolder: config.root };
  const file = options.from !== undefined ? path.resolve(options.cwd, expandHome(options.from, env.HOME)) : devcontainerPath(config);
  const parsed =
    file === undefined
      ? imageOnlyDevcontainer(config.config.image, local)
      : parseDevcontainer(await readDevcontainer(file, relativeToRoot(config.root, file)), relativeToRoot(config.root, file), local);
  warnings.push(...(parsed.notes ?? []));
  const imageOptions = { devcontainerPath: file, service: config.config.service, env, signal: options.signal };
  const bundle = parsed.composeSettings && (await loadComposeBundle(config.root, parsed.composeSettings, parsed.file ?? 'devcontainer.json'));
  const devcontainer = bundle
    ? await prepareComposeImage({ ...parsed, compose: bundle }, bundle, config.root, imageOptions)
    : await prepareImageInputs(parsed, { ...imageOptions, registry: config.config.registry?.server });
  const allSecrets = await loadConfigSecrets(config, env, options.signal);
  const secrets = requireSecrets(allSecrets, config.config.secrets, config.fileOf(['secrets']));
  const credentialKeys: readonly string[] = providerDefinition(config.config.provider.type).credentialKeys;
  const exposed = config.config.secrets.filter((name) => credentialKeys.includes(name));
  if (exposed.length) warnings.push(`secrets: ${exposed.join(', ')} will be visible inside every workspace`);
  return { devcontainer, secrets, allSecrets, warnings };
}
