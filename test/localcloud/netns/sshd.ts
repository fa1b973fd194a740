import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { sleep } from '../../../src/lib/sleep.js';
import { run } from './exec.js';
import { readPidFile, terminate } from './procs.js';

export interface SshdPaths {
  /** The VM's folder: sshd_config, host key, authorized_keys, pid file and log live in `<dir>/ssh`. */
  dir: string;
  netns: string;
  ip: string;
  /** PATH of SSH sessions: the VM's own bin folder first, then the instance's docker-less system folder. */
  path: string;
  dockerSocket: string;
}

const sshDir = (p: SshdPaths) => `${p.dir}/ssh`;
/** The VM's /etc/ssh (bind-mounted there by its init, vm-init.ts): where cloud-init and kamal-dev put host keys. */
export const etcSshDir = (dir: string) => `${dir}/etc-ssh`;
const HOST_KEY = '/etc/ssh/ssh_host_ed25519_key';
const pidFile = (p: SshdPaths) => `${sshDir(p)}/sshd.pid`;

/**
 * Host key (the one of the VM's cloud-config, as cloud-init's ssh module writes it, else one made here; kept across
 * stop/start), authorized keys and config.
 */
export async function prepareSshd(p: SshdPaths, authorizedKeys: string[], hostKey?: { privateKey: string; publicKey: string }): Promise<void> {
  const dir = sshDir(p);
  const etc = etcSshDir(p.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(etc, { recursive: true, mode: 0o755 });
  await writeFile(`${dir}/authorized_keys`, authorizedKeys.map((key) => `${key.trim()}\n`).join(''), { mode: 0o600 });
  const keyFile = `${etc}/ssh_host_ed25519_key`;
  if (hostKey) {
    await writeFile(keyFile, hostKey.privateKey, { mode: 0o600 });
    await writeFile(`${keyFile}.pub`, `${hostKey.publicKey.trim()}\n`, { mode: 0o644 });
  } else if (!existsSync(keyFile)) {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${p.netns}`, '-f', keyFile]);
  }
  if (existsSync('/etc/ssh/moduli') && !existsSync(`${etc}/moduli`)) await copyFile('/etc/ssh/moduli', `${etc}/moduli`);
  const config = [
    `ListenAddress ${p.ip}:22`,
    `HostKey ${HOST_KEY}`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // the key files live in a scratch folder, not in ~/.ssh
    'StrictModes no',
    `PidFile ${pidFile(p)}`,
    'AllowTcpForwarding yes',
    'PrintMotd no',
    `SetEnv PATH=${p.path} DOCKER_HOST=unix://${p.dockerSocket}`,
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
  await writeFile(`${dir}/sshd_config`, config, { mode: 0o600 });
}

function acceptsTcp(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** sshd daemonizes itself inside the VM's namespaces (`enter`: nsenter arguments); resolves once port 22 of the VM accepts connections. */
export async function startSshd(p: SshdPaths, enter: string[]): Promise<void> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  await run('nsenter', [...enter, '/usr/sbin/sshd', '-f', `${sshDir(p)}/sshd_config`, '-E', `${sshDir(p)}/sshd.log`]);
  const deadline = Date.now() + 15_000;
  while (!(await acceptsTcp(p.ip, 22))) {
    if (Date.now() > deadline) throw new Error(`sshd of ${p.netns} is not listening on ${p.ip}:22 (see ${sshDir(p)}/sshd.log)`);
    await sleep(50);
  }
}

/** Ends the listener; the VM's stop ends its sessions with the rest of the namespace's processes. */
export async function stopSshd(p: SshdPaths): Promise<void> {
  const pid = readPidFile(pidFile(p));
  if (pid !== undefined) await terminate([pid], 5_000);
  await rm(pidFile(p), { force: true });
}
