import { readFile } from 'node:fs/promises';
import ssh2, { type AuthenticationType } from 'ssh2';
import { ConfigError } from '../lib/errors.js';

/** `ssh.key_path` names the public key; the private key is the file beside it without `.pub`. */
export function privateKeyPathFor(keyPath: string): string {
  return keyPath.endsWith('.pub') ? keyPath.slice(0, -'.pub'.length) : keyPath;
}

export interface AuthSources {
  privateKeyPath?: string | undefined;
  /** The agent socket (SSH_AUTH_SOCK), used when the key file is absent or protected by a passphrase. */
  agent?: string | undefined;
}

export interface AuthConfig {
  privateKey?: Buffer;
  agent?: string;
  /** ssh2's order of methods; set when the agent is there for forwarding only, so that it never authenticates. */
  authHandler?: AuthenticationType[];
}

/**
 * The agent on the connection of a command that forwards it (RunOptions.forwardAgent). A connection that
 * authenticates with the key file keeps doing so only: the agent is added for forwarding, not for login.
 */
export function withForwardableAgent(auth: AuthConfig, agent: string): AuthConfig {
  if (auth.agent !== undefined) return auth;
  return { ...auth, agent, authHandler: ['none', 'publickey'] };
}

/** Chooses the key file when it is usable as is, else the agent; neither is a configuration error. */
export async function resolveAuth(sources: AuthSources): Promise<AuthConfig> {
  const path = sources.privateKeyPath === undefined ? undefined : privateKeyPathFor(sources.privateKeyPath);
  let why = 'no private key path is configured';
  if (path !== undefined) {
    const key = await readKey(path);
    if (key.kind === 'usable') return { privateKey: key.data };
    if (key.kind === 'invalid') throw new ConfigError(`${path} is not a private key ssh2 can read: ${key.reason}`);
    why = key.kind === 'absent' ? `${path} does not exist` : `${path} is protected by a passphrase`;
  }
  if (sources.agent) return { agent: sources.agent };
  throw new ConfigError(`cannot authenticate over SSH: ${why} and SSH_AUTH_SOCK is not set`, {
    hint: 'Point ssh.key_path at a key pair without a passphrase, or load the key into ssh-agent.',
  });
}

type KeyFile =
  | { kind: 'usable'; data: Buffer }
  | { kind: 'absent' }
  | { kind: 'encrypted' }
  | { kind: 'invalid'; reason: string };

async function readKey(path: string): Promise<KeyFile> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = ssh2.utils.parseKey(data);
  if (!(parsed instanceof Error)) return { kind: 'usable', data };
  if (/passphrase/i.test(parsed.message)) return { kind: 'encrypted' };
  return { kind: 'invalid', reason: parsed.message };
}
