/** What goes into each workspace's folder besides the container: the git clone, a synced tree, dotfiles. */

/** `git:` with the defaults of the local checkout filled in (src/project/git-checkout.ts). */
export interface GitSource {
  repository: string;
  /** The branch, tag or commit to start from; undefined: the remote's default branch. */
  ref: string | undefined;
  /** git.branch, with `{name}` and `{index}` still in it. */
  branch: string | undefined;
  depth: number | undefined;
  submodules: boolean;
  /** `NAME_B64` of git.token's secret in the workspace's env file, for http(s) remotes; undefined otherwise. */
  tokenKey: string | undefined;
  /** git.forward_agent (ssh repositories only): the clone and the fetch run with the local SSH agent forwarded. */
  forwardAgent: boolean;
  /** git.known_hosts: lines for the git server's host key, added to the SSH user's ~/.ssh/known_hosts before git runs. */
  knownHosts: string | undefined;
}

/** The local working tree as one tar, and the paths it holds (files and links, relative, `/`-separated). */
export interface SyncTree {
  tar: Buffer;
  paths: string[];
}

export interface DotfilesSource {
  repository: string;
  installCommand: string | undefined;
  /** `~/dotfiles` unless set; `~` is the remote user's home in the container. */
  targetPath: string;
}

export interface ContentPlan {
  git: GitSource | undefined;
  /** `deploy --update-content`: fetch and fast-forward workspaces that already have content, then updateContentCommand. */
  updateContent: boolean;
  /** `deploy --sync`: the tree to upload after the clone. */
  sync: SyncTree | undefined;
  dotfiles: DotfilesSource | undefined;
}

export const NO_CONTENT: ContentPlan = { git: undefined, updateContent: false, sync: undefined, dotfiles: undefined };
