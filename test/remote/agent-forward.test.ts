import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GitSource } from '../../src/config/content-plan.js';
import { cloneScript } from '../../src/deploy/content/git-scripts.js';
import { connectSsh, type SshExecutor } from '../../src/remote/ssh-executor.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { generateKey, startSshd, type Sshd } from '../helpers/sshd.js';

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };

/** Waits until the agent's socket exists (ssh-agent -D creates it right after it starts). */
async function waitForSocket(socket: string): Promise<void> {
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!existsSync(socket)) throw new Error(`ssh-agent did not create ${socket}`);
}

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd'), agent: hasCommand('/usr/bin/ssh-agent'), git: hasCommand('/usr/bin/git') }, 'git.forward_agent against real sshds: the agent reaches the one command that asks for it', () => {
  let vm: Sshd;
  let gitHost: Sshd;
  let agent: ChildProcess;
  let executor: SshExecutor;
  let scratch: string;
  let socket: string;
  let agentFingerprint: string;
  let repository: string;
  let knownHosts: string;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'kamal-dev-agent-'));
    socket = path.join(scratch, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    await waitForSocket(socket);
    // The git server's key lives in the agent only: its file is deleted once loaded.
    const gitKey = path.join(scratch, 'git_ed25519');
    await generateKey(gitKey);
    execFileSync('ssh-add', ['-q', gitKey], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    agentFingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${gitKey}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    const gitKeyPub = readFileSync(`${gitKey}.pub`, 'utf8');
    unlinkSync(gitKey);

    vm = await startSshd();
    gitHost = await startSshd({ authorize: false });
    await appendFile(gitHost.authorizedKeysPath, gitKeyPub);
    const hostKey = readFileSync(path.join(gitHost.dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    knownHosts = `[127.0.0.1]:${gitHost.port} ${hostKey}`;

    const bare = path.join(gitHost.dir, 'app.git');
    const work = path.join(scratch, 'work');
    execFileSync('git', ['init', '-q', '-b', 'main', work], { env: gitEnv });
    execFileSync('sh', ['-c', 'echo "over ssh" > README.md && git add README.md && git commit -qm one'], { cwd: work, env: gitEnv });
    execFileSync('git', ['clone', '-q', '--bare', work, bare], { env: gitEnv });
    repository = `ssh://${gitHost.user}@127.0.0.1:${gitHost.port}${bare}`;

    ({ executor } = await connectSsh({
      host: vm.host,
      port: vm.port,
      user: vm.user,
      privateKeyPath: `${vm.clientKeyPath}.pub`,
      agent: socket,
      forwardAgent: true,
    }));
  });

  afterAll(async () => {
    await executor?.close();
    await vm?.stop();
    await gitHost?.stop();
    if (agent?.pid !== undefined) process.kill(agent.pid, 'SIGTERM');
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('a command that asks sees the agent; one that does not sees none; the socket is gone when the command ends', async () => {
    const asked = await executor.run(['sh', '-c', 'echo "$SSH_AUTH_SOCK"; ssh-add -l'], { forwardAgent: true });
    expect(asked.exitCode, asked.stderr).toBe(0);
    const [forwardedSocket, listed] = asked.stdout.split('\n');
    expect(forwardedSocket).toMatch(/^\/tmp\/ssh-[^/]+\/agent\.\d+$/);
    expect(listed).toContain(agentFingerprint);

    const plain = await executor.run(['sh', '-c', 'echo "[$SSH_AUTH_SOCK]"; ssh-add -l']);
    expect(plain.stdout.split('\n')[0]).toBe('[]');
    expect(plain.exitCode).toBe(2); // ssh-add: cannot connect to an agent
    expect(existsSync(path.dirname(forwardedSocket!))).toBe(false);
  });

  it('the clone script with forward_agent: an ssh repository whose key is only in the local agent is cloned, the git host checked against git.known_hosts', async () => {
    const home = mkdtempSync(path.join(scratch, 'home-'));
    const dir = path.join(home, 'workspace');
    const source: GitSource = { repository, ref: 'main', branch: 'agent/w-1', depth: undefined, submodules: false, tokenKey: undefined, forwardAgent: true, knownHosts };
    // ssh reads ~/.ssh of the passwd entry, not $HOME: point it at the scratch home's known_hosts.
    const sshIn = (at: string) => `GIT_SSH_COMMAND=ssh -F none -o UserKnownHostsFile=${at}/.ssh/known_hosts`;
    const inHome = (argv: readonly string[]) => ['env', `HOME=${home}`, sshIn(home), ...argv];

    const without = await executor.run(inHome(cloneScript(source, dir, 'agent/w-1', '/nonexistent')));
    expect(without.exitCode).not.toBe(0);
    expect(without.stderr).toMatch(/Permission denied/);
    rmSync(dir, { recursive: true, force: true });

    const cloned = await executor.run(inHome(cloneScript(source, dir, 'agent/w-1', '/nonexistent')), { forwardAgent: true });
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('over ssh\n');
    expect(execFileSync('git', ['-C', dir, 'branch', '--show-current'], { encoding: 'utf8' }).trim()).toBe('agent/w-1');
    expect(readFileSync(path.join(home, '.ssh/known_hosts'), 'utf8')).toBe(`${knownHosts}\n`);
    expect(readFileSync(path.join(dir, '.git/config'), 'utf8')).not.toMatch(/agent|SSH_AUTH_SOCK/i);

    const unknownHost = mkdtempSync(path.join(scratch, 'home-'));
    const refused = await executor.run(['env', `HOME=${unknownHost}`, sshIn(unknownHost), ...cloneScript({ ...source, knownHosts: undefined }, path.join(unknownHost, 'w'), undefined, '/nonexistent')], { forwardAgent: true });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/Host key verification failed/);
  });

  it('a connection opened without forward_agent refuses a command that asks for the agent', async () => {
    const { executor: plain } = await connectSsh({ host: vm.host, port: vm.port, user: vm.user, privateKeyPath: `${vm.clientKeyPath}.pub`, agent: socket });
    try {
      await expect(plain.run(['true'], { forwardAgent: true })).rejects.toThrow('a command asked for the SSH agent on a connection opened without it');
    } finally {
      await plain.close();
    }
  });
});
