import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2, { type Client, type SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConnectionError } from '../../src/lib/errors.js';
import { connectSsh, type SshExecutor } from '../../src/remote/ssh-executor.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { modeExposures, watchModes } from './exposure.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const secretsLike = (size: number) => `TOKEN=${randomBytes(size).toString('hex')}\n`.slice(-size);

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'SFTP upload against a real sshd', () => {
  let sshd: Sshd;
  let executor: SshExecutor;

  beforeAll(async () => {
    sshd = await startSshd();
    ({ executor } = await connectSsh({
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      privateKeyPath: sshd.clientKeyPath,
    }));
  });

  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });

  it('writes the content with exactly the requested mode, creating parent folders', async () => {
    const cases: [string, number][] = [
      ['a/b/c/secret.env', 0o600],
      ['a/b/shared.txt', 0o640],
      ['x/run.sh', 0o755],
      ['wide/open', 0o666],
    ];
    for (const [relative, mode] of cases) {
      const path = join(sshd.dir, 'abs', relative);
      const content = randomBytes(5000);
      await executor.upload(path, content, mode);
      expect(await modeOf(path), relative).toBe(mode);
      expect((await readFile(path)).equals(content), relative).toBe(true);
    }
  });

  it('resolves relative and ~/ paths against the home folder and uploads strings as UTF-8', async () => {
    await executor.upload('rel/dir/file.env', 'KEY=välue\n', 0o600);
    await executor.upload('~/tilde/file.env', '', 0o600);
    expect(await readFile(join(sshd.sftpHome, 'rel/dir/file.env'), 'utf8')).toBe('KEY=välue\n');
    expect(await modeOf(join(sshd.sftpHome, 'rel/dir/file.env'))).toBe(0o600);
    expect(await readFile(join(sshd.sftpHome, 'tilde/file.env'), 'utf8')).toBe('');
  });

  it('replaces an existing world-readable file without ever giving the new content its mode', async () => {
    const dir = join(sshd.dir, 'replace');
    await mkdir(dir);
    const path = join(dir, 'secrets.env');
    await writeFile(path, 'OLD=1\n', { mode: 0o644 });
    const before = await sshd.sftpLog();
    await executor.upload(path, 'NEW=2\n', 0o600);
    expect(await modeOf(path)).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('NEW=2\n');
    const log = (await sshd.sftpLog()).slice(before.length);
    expect(modeExposures(log, 0o600)).toEqual({ writes: 1, problems: [] });
    expect(log).toMatch(/rename old ".*" new ".*\/replace\/secrets\.env"/);
    expect((await executor.run(['ls', '-A', dir])).stdout).toBe('secrets.env\n');
  });

  it('a secrets-sized upload is never visible with another mode (sftp-server log and a polling watcher)', async () => {
    const dir = join(sshd.dir, 'watched');
    await mkdir(dir);
    const path = join(dir, 'secrets.env');
    await writeFile(path, 'OLD=1\n', { mode: 0o644 });
    const size = 4096;
    const before = await sshd.sftpLog();
    const watcher = await watchModes(dir, size, 0o600);
    for (let i = 0; i < 30; i++) await executor.upload(path, secretsLike(size), 0o600);
    const watched = await watcher.stop();
    expect(watched.polls).toBeGreaterThan(30);
    expect(watched.seen).toEqual([]);
    const log = (await sshd.sftpLog()).slice(before.length);
    expect(modeExposures(log, 0o600)).toEqual({ writes: 30, problems: [] });
  });

  it('the checks above catch a naive upload that writes first and narrows the mode afterwards', async () => {
    const dir = join(sshd.dir, 'naive');
    await mkdir(dir);
    const path = join(dir, 'secrets.env');
    const size = 4096;
    const before = await sshd.sftpLog();
    const watcher = await watchModes(dir, size, 0o600);
    const sftp = await naiveSftp(sshd);
    await new Promise<void>((resolve, reject) =>
      sftp.writeFile(path, secretsLike(size), (e) => (e ? reject(e) : resolve())),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await new Promise<void>((resolve, reject) => sftp.chmod(path, 0o600, (e) => (e ? reject(e) : resolve())));
    sftp.end();
    sftp.client.end();
    const watched = await watcher.stop();
    expect(watched.seen).toEqual(['secrets.env 644']);
    const log = (await sshd.sftpLog()).slice(before.length);
    expect(modeExposures(log, 0o600)).toEqual({
      writes: 1,
      problems: [`${path}: written through an open that may reuse an existing file (WRITE,CREATE,TRUNCATE)`],
    });
  });

  it('reports a path it cannot create as a ConnectionError naming the path', async () => {
    const blocker = join(sshd.dir, 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const target = join(blocker, 'x.env');
    const error = await executor.upload(target, 'A=1', 0o600).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(
      `127.0.0.1:${sshd.port}: upload of ${target} failed: ${blocker} exists and is not a folder`,
    );
  });
});

/** A plain ssh2 SFTP session of its own, for the naive writer the checks must catch. */
async function naiveSftp(sshd: Sshd): Promise<SFTPWrapper & { client: Client }> {
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: readFileSync(sshd.clientKeyPath) });
  });
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
    client.sftp((error, session) => (error ? reject(error) : resolve(session))),
  );
  return Object.assign(sftp, { client });
}
