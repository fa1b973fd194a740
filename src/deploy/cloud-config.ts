import type { HostKeyPair } from '../lib/ssh-host-key.js';
import { Secret } from '../lib/secret.js';
import { dockerInstallCommand } from './remote-steps.js';

export interface CloudConfigInput {
  hostKey: HostKeyPair;
  sshUser: string;
  /** Docker's install script, run by cloud-init at the end of the boot; absent: the SSH step installs it. */
  dockerInstallUrl?: string;
}

/** A YAML block scalar (`|`) of `text`, indented by `indent` spaces. */
function block(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return `|\n${text.trimEnd().split('\n').map((line) => `${pad}${line}`).join('\n')}`;
}

/**
 * The user_data of a new VM (docs/architecture.md#host-keys): its SSH host key, made here (`ssh_keys`, with
 * `ssh_deletekeys` so that the image's own keys are gone), root login kept when ssh.user is root, and Docker's
 * install script in `runcmd`. A Secret: it holds the private host key.
 */
export function cloudConfig(input: CloudConfigInput): Secret {
  const lines = [
    '#cloud-config',
    'ssh_deletekeys: true',
    'ssh_keys:',
    `  ed25519_private: ${block(input.hostKey.privateKey.reveal(), 4)}`,
    `  ed25519_public: ${JSON.stringify(input.hostKey.publicKey)}`,
    ...(input.sshUser === 'root' ? ['disable_root: false'] : []),
    ...(input.dockerInstallUrl ? ['runcmd:', `  - ${JSON.stringify(dockerInstallCommand(input.dockerInstallUrl))}`] : []),
  ];
  return new Secret(`${lines.join('\n')}\n`);
}
