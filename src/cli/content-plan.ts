import type { ContentPlan, DotfilesSource } from '../config/content-plan.js';
import { DotfilesSchema } from '../config/git-schema.js';
import type { LoadedConfig } from '../config/load.js';
import { envFileKey } from '../docker/env-file.js';
import { UsageError } from '../lib/errors.js';
import { resolveGitSource } from '../project/git-checkout.js';
import { buildSyncTree } from '../project/sync-tree.js';

/** `--dotfiles URL` over dev.yml's `dotfiles:` (its install_command and target_path kept). */
function dotfilesSource(config: LoadedConfig, url: string | undefined): DotfilesSource | undefined {
  const configured = config.config.dotfiles;
  if (url !== undefined) {
    const checked = DotfilesSchema.shape.repository.safeParse(url);
    if (!checked.success) throw new UsageError(`--dotfiles: ${checked.error.issues[0]?.message ?? 'expected a repository URL'}`);
  }
  const repository = url ?? configured?.repository;
  if (repository === undefined) return undefined;
  return { repository, installCommand: configured?.install_command, targetPath: configured?.target_path ?? '~/dotfiles' };
}

/**
 * What deploy puts into the workspace folders: the git clone (with the local checkout's defaults), the local
 * tree for --sync (read and checked here, before anything is created), dotfiles.
 */
export async function loadContentPlan(config: LoadedConfig, options: { updateContent: boolean; sync: boolean; dotfiles: string | undefined }): Promise<ContentPlan> {
  return {
    git: await resolveGitSource(config, envFileKey),
    updateContent: options.updateContent,
    sync: options.sync ? await buildSyncTree(config.root) : undefined,
    dotfiles: dotfilesSource(config, options.dotfiles),
  };
}
