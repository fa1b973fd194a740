import { ConfigError } from '../lib/errors.js';
import { branchPatternProblem } from './git-branch.js';
import { workspaceName } from './naming.js';
import { isSshRepository } from './git-schema.js';
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
  if (git.forward_agent && git.repository !== undefined) checkForwardAgentRepository(git.repository, fileOf(['git', 'forward_agent']));
}

/** git.forward_agent forwards the agent to git's ssh: a repository git reaches otherwise is an error. */
export function checkForwardAgentRepository(repository: string, file: string): void {
  if (isSshRepository(repository)) return;
  throw new ConfigError(`${file}: git.forward_agent: ${repository} is not an ssh repository (ssh:// or user@host:path); the agent is forwarded to ssh only`, {
    hint: 'Use the repository\'s ssh URL, or git.token for https.',
  });
}

/** git.forward_agent needs a local agent to forward: SSH_AUTH_SOCK (`agent`) set. */
export function forwardAgentProblem(config: Config, fileOf: (keys: readonly PropertyKey[]) => string, agent: string | undefined): string | undefined {
  if (config.git?.forward_agent !== true || agent) return undefined;
  return `${fileOf(['git', 'forward_agent'])}: git.forward_agent: no local SSH agent to forward (SSH_AUTH_SOCK is not set)`;
}
