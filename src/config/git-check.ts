import { ConfigError } from '../lib/errors.js';
import { branchPatternProblem } from './git-branch.js';
import { workspaceName } from './naming.js';
import type { Config } from './schema.js';

/** The rules of `git:` that span keys: the branch pattern gives valid branch names, the token is a listed secret. */
export function checkGitConfig(config: Config, fileOf: (keys: readonly PropertyKey[]) => string): void {
  const { git } = config;
  if (!git) return;
  if (git.branch !== undefined) {
    const samples = [1, 100].map((index) => ({ name: workspaceName(config.naming.pattern, config.service, index), index }));
    const problem = branchPatternProblem(git.branch, samples);
    if (problem) throw new ConfigError(`${fileOf(['git', 'branch'])}: git.branch: ${problem}`);
  }
  if (git.token !== undefined && !config.secrets.includes(git.token)) {
    throw new ConfigError(`${fileOf(['git', 'token'])}: git.token: ${git.token} is not listed under secrets:`, { hint: `Add ${git.token} to secrets: (its value comes from the secrets file).` });
  }
  if (git.forward_agent) {
    throw new ConfigError(`${fileOf(['git', 'forward_agent'])}: git.forward_agent: not supported yet`, { hint: 'Give the VM a deploy key, or use an https repository with git.token.' });
  }
}
