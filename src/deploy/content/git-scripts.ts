import type { Argv } from '../../remote/executor.js';
import { quote, quoteArgv } from '../../remote/quote.js';
import type { GitSource } from '../../config/content-plan.js';

/** Exit codes of updateScript besides 0 (fast-forwarded or already up to date). */
export const UPDATE_LOCAL_CHANGES = 3;
export const UPDATE_NOT_FAST_FORWARD = 4;
/** Exit code of contentProbe when the folder holds something. */
export const HAS_CONTENT = 0;

const COMMIT = /^[0-9a-f]{40}$/i;

/** `sh -c` of lines joined; every value in them went through quote(). */
const script = (lines: readonly string[]): Argv => ['sh', '-c', lines.join('\n')];

/** Whether `git` is on the VM: exit 0 when it is. */
export const gitPresent: Argv = ['sh', '-c', 'command -v git >/dev/null 2>&1'];

/** Installs git with apt-get (as root, else through `sudo -n`), for VMs that have none. */
export const installGit: Argv = script([
  'set -e',
  'if [ "$(id -u)" = 0 ]; then as=; else as="sudo -n"; fi',
  '$as env DEBIAN_FRONTEND=noninteractive apt-get update -qq',
  '$as env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null',
  'git --version',
]);

/** Exit 0 (HAS_CONTENT) when the folder exists and is not empty: a workspace that is never cloned over. */
export function contentProbe(dir: string): Argv {
  return ['sh', '-c', '[ -n "$(ls -A "$1" 2>/dev/null)" ]', 'sh', dir];
}

/**
 * The credential helper git runs for the repository's URL: it answers `get` with the token decoded from the
 * variable `tokenKey` (`NAME_B64`) of its environment, and nothing when the variable is unset. The helper
 * text holds no secret; on the VM the variable is set for one clone or fetch only, in a container it is the
 * workspace's environment (so `git push` works there).
 */
export function credentialHelper(tokenKey: string): string {
  return `!f() { test "$1" = get || return 0; test -n "$${tokenKey}" || return 0; echo username=x-access-token; printf 'password=%s\\n' "$(printf %s "$${tokenKey}" | base64 -d)"; }; f`;
}

/** The git config key of the helper, scoped to the repository's URL. */
export function helperKey(repository: string): string {
  return `credential.${repository}.helper`;
}

/** Lines that read the token's variable out of the 0600 env file into the environment of what follows. */
function tokenLines(source: GitSource, envFile: string): string[] {
  if (!source.tokenKey) return [];
  const key = source.tokenKey;
  return [`${key}=$(sed -n ${quote(`s/^${key}=//p`)} ${quote(envFile)})`, `export ${key}`];
}

/** Lines that add git.known_hosts to the SSH user's ~/.ssh/known_hosts (each once), for git's own host key check. */
function knownHostsLines(source: GitSource): string[] {
  if (source.knownHosts === undefined) return [];
  const entries = source.knownHosts.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return [
    '(umask 077 && mkdir -p "$HOME/.ssh" && touch "$HOME/.ssh/known_hosts")',
    ...entries.map((entry) => `grep -qxF ${quote(entry)} "$HOME/.ssh/known_hosts" || printf '%s\\n' ${quote(entry)} >> "$HOME/.ssh/known_hosts"`),
  ];
}

const depthArgs = (depth: number | undefined): string[] => (depth === undefined ? [] : ['--depth', String(depth)]);

/**
 * Clones the repository into `dir` (empty or missing) as the SSH user, checks `ref` out and, with a branch,
 * creates it there. The token, when there is one, reaches git only through the environment (see credentialHelper).
 */
export function cloneScript(source: GitSource, dir: string, branch: string | undefined, envFile: string): Argv {
  const { repository, ref, depth, submodules } = source;
  const isCommit = ref !== undefined && COMMIT.test(ref);
  const clone = [
    'git',
    'clone',
    '--quiet',
    ...(source.tokenKey ? ['-c', `${helperKey(repository)}=${credentialHelper(source.tokenKey)}`] : []),
    ...depthArgs(depth),
    ...(submodules ? ['--recurse-submodules'] : []),
    ...(ref === undefined ? [] : isCommit ? ['--no-checkout'] : ['--branch', ref]),
    '--',
    repository,
    dir,
  ];
  const lines = ['set -e', 'export GIT_TERMINAL_PROMPT=0', ...knownHostsLines(source), ...tokenLines(source, envFile), quoteArgv(['mkdir', '-p', dir]), quoteArgv(clone), quoteArgv(['cd', dir])];
  if (isCommit) {
    lines.push(`git cat-file -e ${quote(`${ref}^{commit}`)} 2>/dev/null || ${quoteArgv(['git', 'fetch', '--quiet', ...depthArgs(depth), 'origin', ref])}`);
    lines.push(quoteArgv(['git', 'checkout', '--quiet', ref]));
    if (submodules) lines.push('git submodule update --quiet --init --recursive');
  }
  if (branch !== undefined) lines.push(quoteArgv(['git', 'checkout', '--quiet', '-b', branch]));
  return script(lines);
}

/**
 * `deploy --update-content` in a workspace that has content: fetches `ref` and fast-forwards to it. Leaves a
 * workspace with local changes alone (exit UPDATE_LOCAL_CHANGES) and one that has diverged (UPDATE_NOT_FAST_FORWARD);
 * prints `updated A..B` or `up to date`.
 */
export function updateScript(source: GitSource, dir: string, envFile: string): Argv {
  const fetchRef = source.ref === undefined ? [] : [source.ref];
  return script([
    'set -e',
    'export GIT_TERMINAL_PROMPT=0',
    ...knownHostsLines(source),
    ...tokenLines(source, envFile),
    quoteArgv(['cd', dir]),
    `if [ -n "$(git status --porcelain --untracked-files=no)" ]; then echo 'local changes'; exit ${UPDATE_LOCAL_CHANGES}; fi`,
    'before=$(git rev-parse HEAD)',
    quoteArgv(['git', 'fetch', '--quiet', ...depthArgs(source.depth), 'origin', ...fetchRef]),
    `git merge --quiet --ff-only FETCH_HEAD >/dev/null 2>&1 || { echo 'not a fast-forward'; exit ${UPDATE_NOT_FAST_FORWARD}; }`,
    ...(source.submodules ? ['git submodule update --quiet --init --recursive'] : []),
    'after=$(git rev-parse HEAD)',
    'if [ "$before" = "$after" ]; then echo "up to date"; else echo "updated $before..$after"; fi',
  ]);
}
