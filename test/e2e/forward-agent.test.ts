import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { generateKey, startSshd, type Sshd } from '../helpers/sshd.js';
import { step } from '../helpers/step.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };

describeIf(requirements(), 'end to end on the local cloud: git.forward_agent clones over SSH with a key that is only in the local agent', () => {
  let cloud: LocalCloud;
  let gitHost: Sshd;
  let agent: ChildProcess;
  let scratch: string;
  let socket: string;
  let project: Project;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    const bridge = new URL(cloud.backend.dockerInstallUrl!).hostname;
    scratch = mkdtempSync(path.join(tmpdir(), 'kamal-dev-e2e-agent-'));
    socket = path.join(scratch, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    // The git server's key: in the agent only, its file deleted once loaded.
    const gitKey = path.join(scratch, 'git_ed25519');
    await generateKey(gitKey);
    execFileSync('ssh-add', ['-q', gitKey], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    const gitKeyPub = readFileSync(`${gitKey}.pub`, 'utf8');
    unlinkSync(gitKey);

    gitHost = await startSshd({ authorize: false, listenAddress: bridge });
    await appendFile(gitHost.authorizedKeysPath, gitKeyPub);
    const hostKey = readFileSync(path.join(gitHost.dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const bare = path.join(gitHost.dir, 'app.git');
    const work = path.join(scratch, 'work');
    execFileSync('git', ['init', '-q', '-b', 'main', work], { env: gitEnv });
    execFileSync('sh', ['-c', 'echo "cloned over ssh" > README.md && git add README.md && git commit -qm one'], { cwd: work, env: gitEnv });
    execFileSync('git', ['clone', '-q', '--bare', work, bare], { env: gitEnv });

    project = e2eProject(cloud);
    project.env.SSH_AUTH_SOCK = socket;
    const yml = ['', 'git:', `  repository: ssh://${gitHost.user}@${bridge}:${gitHost.port}${bare}`, '  ref: main', '  branch: agent/{name}', '  forward_agent: true', `  known_hosts: "[${bridge}]:${gitHost.port} ${hostKey}"`, ''];
    writeFileSync(path.join(project.dir, 'config/dev.yml'), readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8') + yml.join('\n'));
  }, 300_000);

  afterAll(async () => {
    await cloud?.close();
    await gitHost?.stop();
    if (agent?.pid !== undefined) process.kill(agent.pid, 'SIGTERM');
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  it('one journey in named steps', async () => {
    let ip = '';
    await step('deploy with forward_agent: the workspace folder is the clone, on its branch', async () => {
      const deployed = await project.run(['deploy', '--yes', '--progress', 'plain']);
      expect(deployed.code, deployed.stderr).toBe(0);
      const listed = JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>;
      ip = Object.values(listed)[0]!.vm_ip;
      const name = Object.keys(listed)[0]!;
      const dir = `~/.kamal-dev/workspaces/${name}`;
      expect((await project.ssh(ip, `cat ${dir}/README.md`)).stdout).toBe('cloned over ssh\n');
      expect((await project.ssh(ip, `git -C ${dir} branch --show-current`)).stdout.trim()).toBe(`agent/${name}`);
    });

    await step('after the deploy: no SSH_AUTH_SOCK in a later session, no agent socket on the VM, the key in no file there', async () => {
      expect((await project.ssh(ip, 'echo "[$SSH_AUTH_SOCK]"')).stdout.trim()).toBe('[]');
      const sockets = await project.ssh(ip, 'ls -d /tmp/ssh-* 2>/dev/null; true');
      expect(sockets.stdout.trim()).toBe('');
      const fetchWithoutAgent = await project.ssh(ip, 'cd ~/.kamal-dev/workspaces/* && GIT_TERMINAL_PROMPT=0 git fetch origin 2>&1; echo "exit $?"');
      expect(fetchWithoutAgent.stdout).toMatch(/Permission denied[\s\S]*exit [1-9]/);
    });

    await step('deploy --update-content: the fetch gets the agent again', async () => {
      const work = path.join(scratch, 'work');
      execFileSync('sh', ['-c', `echo two > second.txt && git add second.txt && git commit -qm two && git push -q ${path.join(gitHost.dir, 'app.git')} main`], { cwd: work, env: gitEnv });
      const updated = await project.run(['deploy', '--yes', '--update-content', '--progress', 'plain']);
      expect(updated.code, updated.stderr).toBe(0);
      expect(updated.stdout + updated.stderr).toMatch(/updated [0-9a-f]{40}\.\.[0-9a-f]{40}/);
      expect((await project.ssh(ip, 'cat ~/.kamal-dev/workspaces/*/second.txt')).stdout).toBe('two\n');
      expect((await project.ssh(ip, 'ls -d /tmp/ssh-* 2>/dev/null; true')).stdout.trim()).toBe('');
    });
  });
});
