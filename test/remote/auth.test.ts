import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyPathFor, resolveAuth, withForwardableAgent } from '../../src/remote/auth.js';
import { connectSsh } from '../../src/remote/ssh-executor.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { generateKey, startSshd, type Sshd } from '../helpers/sshd.js';

const run = promisify(execFile);

describe('private key selection', () => {
  it('strips .pub from ssh.key_path', () => {
    expect(privateKeyPathFor('/home/me/.ssh/id_ed25519.pub')).toBe('/home/me/.ssh/id_ed25519');
    expect(privateKeyPathFor('/home/me/.ssh/id_ed25519')).toBe('/home/me/.ssh/id_ed25519');
  });

  it('refuses to go on without a usable key or agent, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kamal-dev-auth-'));
    try {
      await expect(resolveAuth({ privateKeyPath: join(dir, 'absent.pub') })).rejects.toMatchObject({
        name: 'ConfigError',
        exitCode: 2,
        message: `cannot authenticate over SSH: ${join(dir, 'absent')} does not exist and SSH_AUTH_SOCK is not set`,
        hint: expect.stringMatching(/ssh-agent/),
      });
      await generateKey(join(dir, 'locked'), 'a passphrase');
      await expect(resolveAuth({ privateKeyPath: join(dir, 'locked.pub') })).rejects.toThrow(
        `${join(dir, 'locked')} is protected by a passphrase and SSH_AUTH_SOCK is not set`,
      );
      await writeFile(join(dir, 'garbage'), 'not a key\n');
      await expect(resolveAuth({ privateKeyPath: join(dir, 'garbage') })).rejects.toMatchObject({
        name: 'ConfigError',
        message: `${join(dir, 'garbage')} is not a private key ssh2 can read: Unsupported key format`,
      });
      await expect(resolveAuth({ privateKeyPath: join(dir, 'locked'), agent: '/agent.sock' })).resolves.toEqual({
        agent: '/agent.sock',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'authentication through ssh-agent', () => {
  let sshd: Sshd;
  let dir: string;
  let agent: ChildProcess;
  let socket: string;

  beforeAll(async () => {
    sshd = await startSshd();
    dir = await mkdtemp(join(tmpdir(), 'kamal-dev-agent-'));
    socket = join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const listed = await run('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: socket } }).catch((e: { code?: number }) => e);
      if ((listed as { code?: number }).code === 1) break; // 1: agent up, no identities yet
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await run('ssh-add', [sshd.clientKeyPath], { env: { SSH_AUTH_SOCK: socket } });
  });

  afterAll(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGTERM');
      await exited;
    }
    await sshd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const connectWith = async (privateKeyPath: string) => {
    const { executor } = await connectSsh({ host: sshd.host, port: sshd.port, user: sshd.user, privateKeyPath, agent: socket });
    try {
      return (await executor.run(['printf', 'in'])).stdout;
    } finally {
      await executor.close();
    }
  };

  it('uses the agent when the key beside key_path has a passphrase', async () => {
    const locked = join(dir, 'id_locked');
    await copyFile(sshd.clientKeyPath, locked);
    await run('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'a passphrase', '-f', locked]);
    await expect(resolveAuth({ privateKeyPath: `${locked}.pub`, agent: socket })).resolves.toEqual({ agent: socket });
    expect(await connectWith(`${locked}.pub`)).toBe('in');
  });

  it('uses the agent when the key is absent', async () => {
    expect(await connectWith(join(dir, 'no_such_key.pub'))).toBe('in');
  });
});

describe('the agent on the connection of a command that forwards it', () => {
  it('a key-file connection keeps authenticating with the key only; an agent connection is unchanged', () => {
    const key = Buffer.from('key');
    expect(withForwardableAgent({ privateKey: key }, '/tmp/agent.sock')).toEqual({ privateKey: key, agent: '/tmp/agent.sock', authHandler: ['none', 'publickey'] });
    expect(withForwardableAgent({ agent: '/tmp/a.sock' }, '/tmp/a.sock')).toEqual({ agent: '/tmp/a.sock' });
  });
});
