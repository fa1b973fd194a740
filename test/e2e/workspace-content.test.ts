import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../localcloud/git-server.js';
import { describeIf } from '../helpers/requirements.js';
import { step } from '../helpers/step.js';
import { e2eProject, requirements, SECRET, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

const NAMES = ['e2e-dev-1', 'e2e-dev-2', 'e2e-dev-3'];
const SECRET_B64 = Buffer.from(SECRET, 'utf8').toString('base64');

/** A Debian container (git in it), the workspace at /workspace, updateContentCommand counting its runs there. */
const DEVCONTAINER = {
  image: '${localEnv:KAMAL_DEV_TEST_IMAGE}',
  workspaceFolder: '/workspace',
  updateContentCommand: 'echo ran >> /tmp/update-content-runs',
  postCreateCommand: 'echo postcreate > /tmp/post-create',
};

function devYml(server: GitServer): string {
  return [
    '',
    'git:',
    `  repository: ${server.url('app')}`,
    '  ref: main',
    '  branch: agent/{name}',
    '  token: GITHUB_TOKEN',
    'dotfiles:',
    `  repository: ${server.url('dotfiles')}`,
    '',
  ].join('\n');
}

/** Every process's command line, sampled while `during` runs. */
async function sampleCommandLines<T>(during: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const sampler = setInterval(() => lines.push(execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })), 50);
  try {
    return { result: await during(), lines };
  } finally {
    clearInterval(sampler);
  }
}

describeIf(requirements(), 'end to end on the local cloud: the project in every workspace (git clone per branch, update, sync, dotfiles)', () => {
  let cloud: LocalCloud;
  let server: GitServer;
  let project: Project;
  let ips: Record<string, string> = {};

  beforeAll(async () => {
    cloud = await startLocalCloud();
    const bridge = new URL(cloud.backend.dockerInstallUrl!).hostname;
    server = await startGitServer(bridge, SECRET);
    server.createRepo('app', { 'README.md': 'the app\n', 'src/main.txt': 'main v1\n' });
    server.createRepo('dotfiles', { 'install.sh': '#!/bin/sh\necho "installed from $(pwd)" > "$HOME/.dotfiles-marker"\n', '.bashrc-extra': 'alias ll="ls -l"\n' }, { public: true });
    project = e2eProject(cloud);
    project.env.KAMAL_DEV_TEST_IMAGE = cloud.images.debian;
    writeFileSync(path.join(project.dir, '.devcontainer/devcontainer.json'), JSON.stringify(DEVCONTAINER, null, 2));
    writeFileSync(path.join(project.dir, 'config/dev.yml'), readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8') + devYml(server));
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await cloud?.close();
  }, 120_000);

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => project.run(args, env);
  const inWorkspace = async (name: string, script: string) => {
    const r = await run(['exec', name, '--', 'sh', '-c', script]);
    expect(r.code, `${name}: ${script}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  it('one journey in named steps', async () => {
    await step('deploy --count 3 --verbose: each workspace a clone of main on its own branch; the token on no command line and in no output', async () => {
      const { result: deployed, lines } = await sampleCommandLines(() => run(['deploy', '--count', '3', '--yes', '--verbose', '--progress', 'plain']));
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(lines.length).toBeGreaterThan(20);
      const all = lines.join('\n');
      expect(all).toContain('git clone');
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain(SECRET_B64);
      for (const text of [deployed.stdout, deployed.stderr]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(SECRET_B64);
      }
      expect(deployed.stderr).toContain('cloning the repository');
      const listed = JSON.parse((await run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string; status: string }>;
      ips = Object.fromEntries(Object.entries(listed).map(([name, e]) => [name, e.vm_ip]));
      expect(Object.keys(ips).sort()).toEqual(NAMES);
      for (const name of NAMES) {
        expect(await inWorkspace(name, 'git rev-parse --abbrev-ref HEAD; cat README.md src/main.txt; git status --porcelain')).toBe(`agent/${name}\nthe app\nmain v1\n`);
        expect(await inWorkspace(name, 'cat /tmp/update-content-runs /tmp/post-create')).toBe('ran\npostcreate\n');
      }
    });

    await step('exec --all -- git push origin HEAD: the bare repository has the three branches', async () => {
      const pushed = await run(['exec', '--all', '--', 'git', 'push', '--quiet', 'origin', 'HEAD']);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(server.branches('app')).toEqual(['agent/e2e-dev-1', 'agent/e2e-dev-2', 'agent/e2e-dev-3', 'main']);
    });

    await step('the token, plain and base64, is in no file on the VMs but the 0600 env file, and in no container filesystem', async () => {
      for (const name of NAMES) {
        const ip = ips[name]!;
        // The patterns go up as octal escapes, so that no command line of the search holds the token itself.
        const patterns = `/tmp/kamal-dev-leak-patterns-${name}`;
        const octal = [...Buffer.from(`${SECRET}\n${SECRET_B64}\n`)].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
        expect((await project.ssh(ip, `printf '${octal}' > ${patterns}`)).code).toBe(0);
        expect((await project.ssh(ip, `wc -l < ${patterns}`)).stdout.trim()).toBe('2');
        const files = await project.ssh(ip, `grep -rlF -f ${patterns} ~ /tmp --exclude-dir=proc 2>/dev/null | grep -v '^${patterns}$'; true`);
        expect(files.stdout.trim().split('\n').filter(Boolean)).toEqual([`/root/.kamal-dev/env/${name}.env`]);
        const mode = await project.ssh(ip, `stat -c %a ~/.kamal-dev/env/${name}.env`);
        expect(mode.stdout.trim()).toBe('600');
        const gitConfig = await project.ssh(ip, `cat ~/.kamal-dev/workspaces/${name}/.git/config; ls ~/.git-credentials 2>&1`);
        expect(gitConfig.stdout).toContain('helper = ');
        expect(gitConfig.stdout).toContain('No such file');
        for (const container of [name]) {
          const exported = await project.ssh(ip, `docker export ${container} | grep -acF -f ${patterns}; true`);
          expect([container, exported.stdout.trim()]).toEqual([container, '0']);
        }
        await project.ssh(ip, `rm -f ${patterns}`);
      }
    });

    await step('dotfiles: install.sh of the dotfiles repository ran in each container, as the remote user', async () => {
      for (const name of NAMES) expect(await inWorkspace(name, 'cat "$HOME/.dotfiles-marker"')).toBe('installed from /root/dotfiles\n');
      const log = await run(['logs', 'e2e-dev-1', '--lifecycle']);
      expect(log.stdout).toMatch(/dotfiles .*dotfiles\.git: exit 0/);
    });

    await step('a redeploy keeps what the workspace wrote; nothing is cloned again', async () => {
      await inWorkspace('e2e-dev-1', 'echo mine > mine.txt');
      const again = await run(['deploy', '--count', '3', '--yes', '--progress', 'plain']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('cloning the repository');
      expect(await inWorkspace('e2e-dev-1', 'cat mine.txt; git rev-parse --abbrev-ref HEAD')).toBe('mine\nagent/e2e-dev-1\n');
    });

    await step('--update-content: a new commit of main reaches a clean workspace; one with local changes is left alone, saying so', async () => {
      server.commit('app', { 'NEWS.md': 'news of v2\n' });
      await inWorkspace('e2e-dev-2', 'echo edited >> README.md');
      const updated = await run(['deploy', '--count', '3', '--yes', '--update-content']);
      expect(updated.code, updated.stderr).toBe(0);
      expect(updated.stderr).toMatch(/e2e-dev-2: local changes in the workspace; not updated/);
      expect(updated.stderr).toMatch(/e2e-dev-1: updated [0-9a-f]{40}\.\.[0-9a-f]{40}/);
      expect(await inWorkspace('e2e-dev-1', 'cat NEWS.md mine.txt')).toBe('news of v2\nmine\n');
      expect(await inWorkspace('e2e-dev-3', 'cat NEWS.md')).toBe('news of v2\n');
      expect(await inWorkspace('e2e-dev-2', 'test ! -e NEWS.md && tail -n 1 README.md')).toBe('edited\n');
      // updateContentCommand ran again in every kept container
      for (const name of NAMES) expect(await inWorkspace(name, 'cat /tmp/update-content-runs')).toBe('ran\nran\n');
      for (const text of [updated.stdout, updated.stderr]) expect(text).not.toContain(SECRET);
    });

    await step('sync and deploy --sync: an edited, a new and a deleted file show up; an ignored one does not; a link out of the tree is refused', async () => {
      const git = (...args: string[]) => execFileSync('git', ['-C', project.dir, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
      const file = (name: string, text: string) => writeFileSync(path.join(project.dir, name), text);
      git('init', '--quiet');
      file('.gitignore', 'ignored.txt\n');
      file('local.txt', 'local v1\n');
      file('old.txt', 'to be deleted\n');
      git('add', '.');
      git('commit', '--quiet', '-m', 'local tree');
      const first = await run(['sync', 'e2e-dev-3']);
      expect(first.code, first.stderr).toBe(0);
      expect(await inWorkspace('e2e-dev-3', 'cat local.txt old.txt; test ! -e .kamal && echo no-kamal')).toBe('local v1\nto be deleted\nno-kamal\n');

      file('local.txt', 'local v2\n');
      file('new.txt', 'brand new\n');
      file('ignored.txt', 'never uploaded\n');
      unlinkSync(path.join(project.dir, 'old.txt'));
      const second = await run(['sync', 'e2e-dev-3']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/e2e-dev-3: synced \d+ file\(s\), deleted 1/);
      expect(await inWorkspace('e2e-dev-3', 'cat local.txt new.txt; for f in old.txt ignored.txt; do test -e $f && echo "$f is there"; done; true')).toBe('local v2\nbrand new\n');

      file('via-deploy.txt', 'deploy --sync\n');
      const synced = await run(['deploy', '--count', '3', '--yes', '--sync']);
      expect(synced.code, synced.stderr).toBe(0);
      for (const name of NAMES) expect(await inWorkspace(name, 'cat via-deploy.txt local.txt')).toBe('deploy --sync\nlocal v2\n');

      symlinkSync('/etc/passwd', path.join(project.dir, 'escape'));
      file('after-link.txt', 'must not arrive\n');
      const refused = await run(['sync', 'e2e-dev-3']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/sync: "escape" is a link to the absolute path \/etc\/passwd; nothing was uploaded/);
      expect(await inWorkspace('e2e-dev-3', 'test -e after-link.txt || test -L escape || echo untouched')).toBe('untouched\n');
      rmSync(path.join(project.dir, 'escape'));
    });

    await step('a refused token: the new workspace fails with git\'s message, the token nowhere in it; its VM is kept and listed', async () => {
      const wrong = `${SECRET}-wrong`;
      const failed = await run(['deploy', '--count', '4', '--yes'], { KAMAL_DEV_TEST_TOKEN: wrong });
      expect(failed.code).toBe(1);
      expect(`${failed.stdout}${failed.stderr}`).toMatch(/e2e-dev-4.*git clone of http:\/\/[^ ]+\/app\.git failed: .*(Authentication failed|could not read)/);
      for (const text of [failed.stdout, failed.stderr]) {
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(Buffer.from(wrong).toString('base64'));
      }
      expect(server.refused()).toBeGreaterThan(0);
      const listed = JSON.parse((await run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string | null; status: string }>;
      expect(listed['e2e-dev-4']?.status).toBe('failed');
      expect(listed['e2e-dev-4']?.vm_ip).toMatch(/^198\.18\./);
    });
  }, 900_000);
});
