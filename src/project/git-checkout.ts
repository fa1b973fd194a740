import type { LoadedConfig } from '../config/load.js';
import type { GitSource } from '../config/content-plan.js';
import { checkForwardAgentRepository } from '../config/git-check.js';
import { ConfigError } from '../lib/errors.js';
import { gitOutput } from './git-local.js';

export type GitRunner = (dir: string, args: readonly string[]) => Promise<string | undefined>;

/**
 * `git:` of config/dev.yml with the local checkout's defaults: `origin`'s URL for repository, the current
 * branch (or commit, when detached) for ref. Without `git:`, undefined. Outside a git checkout, a missing
 * repository is an error of config/dev.yml naming the key. `tokenKey` names git.token's variable in the env file.
 */
export async function resolveGitSource(config: LoadedConfig, tokenKey: (secret: string) => string, run: GitRunner = gitOutput): Promise<GitSource | undefined> {
  const git = config.config.git;
  if (!git) return undefined;
  const root = config.root;
  const repository = git.repository ?? (await run(root, ['remote', 'get-url', 'origin']))?.trim();
  if (!repository) {
    throw new ConfigError(`${config.fileOf(['git', 'repository'])}: git.repository: not set, and ${root} is not a git checkout with an origin remote`, {
      hint: 'Set git.repository to the URL to clone.',
    });
  }
  if (git.forward_agent) checkForwardAgentRepository(repository, config.fileOf(['git', 'forward_agent']));
  const ref = git.ref ?? (await run(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim() ?? (await run(root, ['rev-parse', '--verify', '--quiet', 'HEAD']))?.trim();
  return {
    repository,
    ref: ref || undefined,
    branch: git.branch,
    depth: git.depth,
    submodules: git.submodules,
    tokenKey: git.token !== undefined && /^https?:\/\//.test(repository) ? tokenKey(git.token) : undefined,
    forwardAgent: git.forward_agent,
    knownHosts: git.known_hosts,
  };
}
