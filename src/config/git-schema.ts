import { z } from 'zod';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** https/http/ssh/git URLs, or scp-like `user@host:path`. */
const REPOSITORY = /^(?:(?:https?|ssh|git):\/\/[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+)$/;

const repository = z
  .string({ error: 'expected a repository URL' })
  .regex(REPOSITORY, { error: 'expected an https, http, ssh or git URL, or user@host:path' })
  .refine((url) => !/^https?:\/\/[^/@]*:[^/@]*@/.test(url), { error: 'holds a password; name a secret in git.token instead' });

/** `ssh://` URLs and scp-like `user@host:path`: the repositories git reaches over SSH (git.forward_agent). */
export function isSshRepository(url: string): boolean {
  return url.startsWith('ssh://') || !url.includes('://');
}

/** `host keytype base64 [comment]`, as in known_hosts; `@cert-authority`/`@revoked` markers allowed. */
const KNOWN_HOSTS_LINE = /^(?:@(?:cert-authority|revoked)\s+)?[^\s#@][^\s]*\s+(?:ssh|ecdsa|sk)-[A-Za-z0-9@.-]+\s+AAAA[A-Za-z0-9+/]+={0,3}(?:\s+[^\n]*)?$/;

/** `git:` of config/dev.yml (docs/configuration.md#git): what each workspace's folder is cloned from. */
export const GitSchema = z.strictObject({
  /** Default: the local checkout's `origin` (resolved by src/project/git-checkout.ts). */
  repository: repository.optional(),
  /** Default: the local checkout's current branch. */
  ref: z.string({ error: 'expected a branch, tag or commit' }).min(1).refine((ref) => !ref.startsWith('-'), { error: 'may not start with -' }).optional(),
  /** A branch per workspace, made from `ref`: `{name}` and `{index}` (checked by validateConfig). */
  branch: z.string({ error: 'expected a branch name pattern' }).min(1).optional(),
  /** Unset: full history. */
  depth: z.number({ error: 'expected a whole number of at least 1' }).int({ error: 'expected a whole number of at least 1' }).min(1, { error: 'expected a whole number of at least 1' }).optional(),
  submodules: z.boolean().default(false),
  /** The name of a secret listed under `secrets:`, for https remotes. */
  token: z.string().regex(ENV_NAME, { error: 'expected the name of a secret listed under secrets:' }).optional(),
  forward_agent: z.boolean().default(false),
  /** known_hosts lines of an ssh repository's server, added to the SSH user's ~/.ssh/known_hosts on the VM. */
  known_hosts: z
    .string({ error: 'expected known_hosts lines (host keytype key)' })
    .refine((text) => text.split('\n').some((line) => line.trim() !== ''), { error: 'expected known_hosts lines (host keytype key)' })
    .refine((text) => text.split('\n').every((line) => line.trim() === '' || KNOWN_HOSTS_LINE.test(line.trim())), { error: 'expected known_hosts lines (host keytype key)' })
    .optional(),
});

/** `dotfiles:` (docs/configuration.md#dotfiles): a repository cloned into the remote user's home and installed. */
export const DotfilesSchema = z.strictObject({
  repository,
  install_command: z.string().min(1).optional(),
  target_path: z.string().min(1).default('~/dotfiles'),
});

export type GitConfig = z.infer<typeof GitSchema>;
export type DotfilesConfig = z.infer<typeof DotfilesSchema>;
