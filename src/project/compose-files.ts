import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { composeProject, type ComposeBundle, type ComposeSettings } from '../devcontainer/compose-config.js';
import { composeServiceDefinition } from '../devcontainer/compose-service.js';
import { ConfigError } from '../lib/errors.js';

/** The largest archive of compose files and build contexts kamal-dev uploads (a context with data in it is refused). */
const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

async function readComposeFile(root: string, file: string, devcontainer: string): Promise<string> {
  const full = path.join(root, file);
  try {
    if ((await stat(full)).isDirectory()) throw new ConfigError(`${file}: is a folder; expected a compose file (dockerComposeFile of ${devcontainer})`);
    return await readFile(full, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(error)})`} (dockerComposeFile of ${devcontainer})`);
  }
}

/** A tar of `paths` (relative to `root`; folders with all they hold but `.git`), made by the system's tar. */
function tarOf(root: string, paths: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'tar',
      ['-c', '-f', '-', '-C', root, '--exclude=.git', '--', ...paths],
      { encoding: 'buffer', maxBuffer: MAX_BUNDLE_BYTES },
      (error, stdout, stderr) => {
        if (error) reject(new ConfigError(`cannot pack the compose files and build contexts (${stderr.toString('utf8').trim().split('\n')[0] || error.message})`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Reads and checks the compose files of a devcontainer.json (named `devcontainer` in messages) before anything
 * is created: each exists and parses, `service` and `runServices` are among their services.
 */
export async function loadComposeBundle(root: string, settings: ComposeSettings, devcontainer: string): Promise<ComposeBundle> {
  const texts: string[] = [];
  for (const file of settings.files) texts.push(await readComposeFile(root, file, devcontainer));
  const project = composeProject(settings, texts, (file) => existsSync(path.join(root, file)));
  for (const upload of project.uploads) {
    if (!existsSync(path.join(root, upload))) throw new ConfigError(`${upload}: no such file or folder (a build context in ${settings.files.join(', ')})`);
  }
  const definition = composeServiceDefinition(settings.files, texts, settings.service);
  return { ...project, definition, pack: () => tarOf(root, [...settings.files, ...project.uploads]) };
}
