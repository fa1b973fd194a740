import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A real OpenSSH server on 127.0.0.1 for tests: its own host key, client key, config, pid file and log. */
export interface Sshd {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Private client key accepted by this server (its `.pub` sits beside it). */
  readonly clientKeyPath: string;
  /** `SHA256:...` of the host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** Scratch folder (removed by stop); `home` below it is where SFTP sessions start. */
  readonly dir: string;
  readonly sftpHome: string;
  readonly logPath: string;
  /** Append the client key here to authorize it later (read at each login). */
  readonly authorizedKeysPath: string;
  log(): Promise<string>;
  /** sftp-server's log: one line per open (path, flags, mode), set, close and rename. */
  sftpLog(): Promise<string>;
  /** TCP connections sshd accepted so far (`Connection from` lines, LogLevel VERBOSE). */
  connectionCount(): Promise<number>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** A port reserved with freePort(); default: a fresh free port. */
  port?: number;
  /** Use this client key instead of generating one (e.g. to share it between two servers). */
  clientKeyPath?: string;
  /** false: start with an empty authorized_keys (a VM whose cloud-init has not installed the key yet). */
  authorize?: boolean;
  /** Where sshd listens (default 127.0.0.1): the local cloud's bridge address for a server its VMs reach. */
  listenAddress?: string;
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function generateKey(path: string, passphrase = ''): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'kamal-dev-test', '-f', path]);
}

export async function keyFingerprint(publicKeyPath: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-f', publicKeyPath]);
  const fingerprint = stdout.split(' ')[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -l output: ${stdout}`);
  return fingerprint;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = await mkdtemp(join(tmpdir(), 'kamal-dev-sshd-'));
  const port = options.port ?? (await freePort());
  const hostKey = join(dir, 'host_ed25519');
  const clientKeyPath = options.clientKeyPath ?? join(dir, 'client_ed25519');
  const sftpHome = join(dir, 'home');
  const logPath = join(dir, 'sshd.log');
  const sftpLogPath = join(dir, 'sftp.log');
  mkdirSync(sftpHome);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  await generateKey(hostKey);
  if (!options.clientKeyPath) await generateKey(clientKeyPath);
  const authorizedKeysPath = join(dir, 'authorized_keys');
  await writeFile(authorizedKeysPath, options.authorize === false ? '' : await readFile(`${clientKeyPath}.pub`));
  const config = [
    `Port ${port}`,
    `ListenAddress ${options.listenAddress ?? '127.0.0.1'}`,
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeysPath}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'LogLevel VERBOSE',
    // sftp-server logs each request (open with flags and mode, setstat, rename) to its own log; -d is
    // where relative paths start. sshd runs the subsystem line through the user's shell, so 2>> works.
    `Subsystem sftp /usr/lib/openssh/sftp-server -e -l INFO -d ${sftpHome} 2>>${sftpLogPath}`,
  ];
  await writeFile(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  await run('/usr/sbin/sshd', ['-t', '-f', join(dir, 'sshd_config')]);
  const child = spawn('/usr/sbin/sshd', ['-D', '-f', join(dir, 'sshd_config'), '-E', logPath], { stdio: 'ignore' });
  const log = () => readFile(logPath, 'utf8').catch(() => '');
  await waitForListening(child, log, port, options.listenAddress ?? '127.0.0.1');
  const hostKeyFingerprint = await keyFingerprint(`${hostKey}.pub`);
  const user = (await run('id', ['-un'])).stdout.trim();
  return {
    host: options.listenAddress ?? '127.0.0.1',
    port,
    user,
    clientKeyPath,
    hostKeyFingerprint,
    dir,
    sftpHome,
    logPath,
    authorizedKeysPath,
    log,
    sftpLog: () => readFile(sftpLogPath, 'utf8').catch(() => ''),
    connectionCount: async () => (await log()).split('\n').filter((line) => line.includes('Connection from ')).length,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForListening(child: ChildProcess, log: () => Promise<string>, port: number, address: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${await log()}`);
    if ((await log()).includes(`Server listening on ${address} port ${port}`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stopChild(child);
  throw new Error(`sshd did not listen on port ${port} within 10 s: ${await log()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
