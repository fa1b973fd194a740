import { spawn } from 'node:child_process';
import type { LoadedConfig } from '../config/load.js';
import type { Argv } from '../lib/argv.js';
import { quoteArgv } from '../remote/quote.js';

export interface OpenSshTarget {
  config: LoadedConfig;
  ip: string;
  /** The name the host key is recorded under in `knownHosts`. */
  alias: string;
  knownHosts: string;
}

/** The options every OpenSSH call to a VM carries: the key, and only the host key pinned at deploy. */
export function openSshOptions(t: OpenSshTarget): string[] {
  const { ssh } = t.config.config;
  return [
    '-i', t.config.privateKeyPath,
    '-p', String(ssh.port),
    '-l', ssh.user,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${t.knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `HostKeyAlias=${t.alias}`,
  ];
}

/**
 * `ssh [-t|-T] … IP -- 'remote command'` with the system's OpenSSH client (as Kamal runs `ssh -t`), its
 * terminal and stdio those of kamal-dev. The remote argv is quoted once, here: OpenSSH hands it to the remote
 * shell as one command line. Resolves with ssh's exit code (255: ssh itself failed, and said why).
 */
export function runOpenSsh(t: OpenSshTarget, remote: Argv | undefined, tty: boolean): Promise<number> {
  const args = [...openSshOptions(t), tty ? '-t' : '-T', t.ip, ...(remote ? ['--', quoteArgv(remote)] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 2 : 255)));
  });
}
