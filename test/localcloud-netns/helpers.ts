import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VmBackend } from '../localcloud/backend.js';
import { instanceNames, type InstanceNames } from '../localcloud/netns/names.js';
import { canCreateNetns, hasCommand, isRoot } from '../helpers/requirements.js';

export const requirements = () => ({
  root: isRoot(),
  netns: canCreateNetns(),
  sshd: hasCommand('/usr/sbin/sshd'),
  ssh: hasCommand('/usr/bin/ssh'),
  dockerd: hasCommand('/usr/sbin/dockerd'),
  registry: hasCommand('/usr/bin/docker-registry'),
  busybox: hasCommand('/bin/busybox'),
  nsenter: hasCommand('/usr/bin/nsenter'),
});

export interface Client {
  dir: string;
  keyFile: string;
  publicKey: string;
  /** known_hosts of this client: a host key that changes makes ssh fail. */
  knownHosts: string;
  cleanup(): void;
}

/** A client with a fresh ed25519 key pair, as a user's machine would have. */
export function makeClient(): Client {
  const dir = mkdtempSync(join(tmpdir(), 'kdl-netns-test-'));
  const keyFile = join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test@kamal-dev', '-f', keyFile]);
  return {
    dir,
    keyFile,
    publicKey: readFileSync(`${keyFile}.pub`, 'utf8').trim(),
    knownHosts: join(dir, 'known_hosts'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` as root on the VM with the real OpenSSH client. */
export function ssh(client: Client, ip: string, command: string, timeoutMs = 60_000): Promise<SshResult> {
  const args = [
    '-i', client.keyFile,
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=accept-new',
    '-o', `UserKnownHostsFile=${client.knownHosts}`,
    '-o', 'ConnectTimeout=5',
    '-o', 'LogLevel=ERROR',
    `root@${ip}`,
    command,
  ];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 255) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** What is left on the machine of an instance (by interface/namespace prefix) or a VM (by folder). */
export function leftovers(prefix: string, dir: string) {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(prefix));
  const processes = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`${dir}/`));
  const mounts = execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' })
    .split('\n')
    .filter((target) => target === dir || target.startsWith(`${dir}/`));
  return { netns, links, processes, mounts, folder: existsSync(dir) };
}

export const nothingLeft = { netns: [], links: [], processes: [], mounts: [], folder: false };

/** The instance a backend claimed, read from its bridge address (198.18.k.1). */
export function instanceOf(backend: VmBackend): InstanceNames {
  const k = /^http:\/\/198\.18\.(\d+)\.1:/.exec(backend.dockerInstallUrl ?? '')?.[1];
  if (k === undefined) throw new Error(`no instance in ${backend.dockerInstallUrl}`);
  return instanceNames(Number(k));
}

export function server(uuid: string, publicKey: string, options: { docker?: boolean; ssh?: boolean } = {}) {
  return {
    uuid,
    hostname: `test-${uuid}`,
    sshKeys: [publicKey],
    labels: { test: 'netns' },
    options: { docker: options.docker ?? true, ssh: options.ssh ?? true },
  };
}
