import { describe, expect, it } from 'vitest';
import type { ContentPlan, GitSource } from '../../src/config/content-plan.js';
import { finishContent, prepareContent } from '../../src/deploy/content/prepare.js';
import { cloneScript, contentProbe, gitPresent, installGit, updateScript } from '../../src/deploy/content/git-scripts.js';
import type { Step } from '../../src/deploy/events.js';
import { matching, ScriptedExecutor } from '../fakes/scripted-executor.js';
import { plan } from '../deploy/make-plan.js';

const SOURCE: GitSource = { repository: 'https://git.example/acme/app.git', ref: 'main', branch: 'agent/{name}', depth: undefined, submodules: false, tokenKey: 'GITHUB_TOKEN_B64', forwardAgent: false, knownHosts: undefined };
const CONTENT: ContentPlan = { git: SOURCE, updateContent: false, sync: undefined, dotfiles: undefined };
const TOKEN = 'ghp_prepare-test-token';
const workspace = plan({ devcontainer: '{"image": "debian", "updateContentCommand": "make deps"}', config: { secrets: ['GITHUB_TOKEN'] }, secrets: { GITHUB_TOKEN: TOKEN } });
const DIR = '/root/.kamal-dev/workspaces/myapp-dev-1';
const ENV = '/root/.kamal-dev/env/myapp-dev-1.env';

function notices() {
  const said: string[] = [];
  return { said, notices: { info: (t: string) => said.push(`info: ${t}`), warn: (t: string) => said.push(`warn: ${t}`), verbose: (t: string) => said.push(`verbose: ${t}`) } };
}

function steps() {
  const seen: Step[] = [];
  return { seen, step: (s: Step) => void seen.push(s) };
}

describe('the workspace folder before the container', () => {
  it('an empty folder: git checked, the env file up (0600) before the clone, the branch of this workspace', async () => {
    const host = new ScriptedExecutor('198.51.100.7', [
      { argv: gitPresent, result: { exitCode: 0 } },
      { argv: contentProbe(DIR), result: { exitCode: 1 } },
      { argv: cloneScript(SOURCE, DIR, 'agent/myapp-dev-1', ENV) },
    ], { ordered: true });
    const { seen, step } = steps();
    await prepareContent(host, workspace, '/root', CONTENT, step, notices().notices);
    host.assertDone();
    expect(seen).toEqual(['git.check', 'git.clone']);
    expect(host.history.map((h) => (h.kind === 'upload' ? `upload ${h.path} ${h.mode.toString(8)}` : `run ${h.argv[2]?.split('\n')[0] ?? h.argv.join(' ')}`))).toEqual([
      'run command -v git >/dev/null 2>&1',
      'run [ -n "$(ls -A "$1" 2>/dev/null)" ]',
      `upload ${ENV} 600`,
      'run set -e',
    ]);
    expect(host.uploads[0]!.content).toBe(`GITHUB_TOKEN_B64=${Buffer.from(TOKEN).toString('base64')}\n`);
    for (const r of host.runs) expect(r.argv.join(' ')).not.toContain(TOKEN);
  });

  it('git missing: installed with apt-get first; a failed install fails the workspace saying why', async () => {
    const host = new ScriptedExecutor('198.51.100.7', [
      { argv: gitPresent, result: { exitCode: 127 } },
      { argv: installGit, result: { exitCode: 0, stdout: 'git version 2.39.5\n' } },
      { argv: contentProbe(DIR), result: { exitCode: 1 } },
      { argv: cloneScript(SOURCE, DIR, 'agent/myapp-dev-1', ENV) },
    ], { ordered: true });
    const { seen, step } = steps();
    await prepareContent(host, workspace, '/root', CONTENT, step, notices().notices);
    host.assertDone();
    expect(seen).toEqual(['git.check', 'git.install', 'git.clone']);

    const broken = new ScriptedExecutor('198.51.100.8', [
      { argv: gitPresent, result: { exitCode: 127 } },
      { argv: installGit, result: { exitCode: 100, stderr: 'E: Could not open lock file /var/lib/dpkg/lock-frontend\n' } },
    ]);
    await expect(prepareContent(broken, workspace, '/root', CONTENT, () => undefined, notices().notices)).rejects.toThrow(
      'git is not installed on 198.51.100.8 and apt-get could not install it: E: Could not open lock file /var/lib/dpkg/lock-frontend',
    );
  });

  it('a folder with content is never cloned over; without --update-content nothing else runs', async () => {
    const host = new ScriptedExecutor('198.51.100.7', [
      { argv: gitPresent },
      { argv: contentProbe(DIR), result: { exitCode: 0 } },
    ]);
    await prepareContent(host, workspace, '/root', CONTENT, () => undefined, notices().notices);
    host.assertDone();
    expect(host.uploads).toEqual([]);
  });

  it('--update-content: fast-forwarded, up to date, local changes and diverged each said as such', async () => {
    const outcomes: [number, string, string][] = [
      [0, 'updated a..b\n', 'info: myapp-dev-1: updated a..b'],
      [0, 'up to date\n', 'info: myapp-dev-1: up to date'],
      [3, 'local changes\n', 'warn: myapp-dev-1: local changes in the workspace; not updated'],
      [4, 'not a fast-forward\n', 'warn: myapp-dev-1: its branch has diverged from main; not a fast-forward, not updated'],
    ];
    for (const [exitCode, stdout, line] of outcomes) {
      const host = new ScriptedExecutor('198.51.100.7', [
        { argv: gitPresent },
        { argv: contentProbe(DIR), result: { exitCode: 0 } },
        { argv: updateScript(SOURCE, DIR, ENV), result: { exitCode, stdout } },
      ]);
      const { said, notices: n } = notices();
      await prepareContent(host, workspace, '/root', { ...CONTENT, updateContent: true }, () => undefined, n);
      host.assertDone();
      expect(said).toEqual([line]);
    }
  });

  it('forward_agent: the clone and the --update-content fetch ask for the agent, no other command does', async () => {
    const source: GitSource = { ...SOURCE, repository: 'git@git.example:acme/app.git', tokenKey: undefined, forwardAgent: true };
    const content: ContentPlan = { ...CONTENT, git: source };
    const fresh = new ScriptedExecutor('198.51.100.7', [
      { argv: gitPresent, result: { exitCode: 127 } },
      { argv: installGit },
      { argv: contentProbe(DIR), result: { exitCode: 1 } },
      { argv: cloneScript(source, DIR, 'agent/myapp-dev-1', ENV) },
    ], { ordered: true });
    await prepareContent(fresh, workspace, '/root', content, () => undefined, notices().notices);
    fresh.assertDone();
    expect(fresh.runs.map((r) => [r.argv[2]?.split('\n')[0], r.forwardAgent ?? false])).toEqual([
      ['command -v git >/dev/null 2>&1', false],
      ['set -e', false],
      ['[ -n "$(ls -A "$1" 2>/dev/null)" ]', false],
      ['set -e', true],
    ]);
    expect(fresh.runs[3]!.argv).toEqual(cloneScript(source, DIR, 'agent/myapp-dev-1', ENV));
    expect(fresh.uploads).toEqual([]);

    const kept = new ScriptedExecutor('198.51.100.7', [
      { argv: gitPresent },
      { argv: contentProbe(DIR), result: { exitCode: 0 } },
      { argv: updateScript(source, DIR, ENV), result: { stdout: 'up to date\n' } },
    ], { ordered: true });
    await prepareContent(kept, workspace, '/root', { ...content, updateContent: true }, () => undefined, notices().notices);
    kept.assertDone();
    expect(kept.runs.map((r) => r.forwardAgent ?? false)).toEqual([false, false, true]);

    const off = new ScriptedExecutor('198.51.100.7', [{ argv: gitPresent }, { argv: contentProbe(DIR), result: { exitCode: 1 } }, { argv: cloneScript(SOURCE, DIR, 'agent/myapp-dev-1', ENV) }]);
    await prepareContent(off, workspace, '/root', CONTENT, () => undefined, notices().notices);
    expect(off.runs.filter((r) => r.forwardAgent)).toEqual([]);
  });

  it("a refused clone fails the workspace with git's message, redacted", async () => {
    const host = new ScriptedExecutor(
      '198.51.100.7',
      [
        { argv: gitPresent },
        { argv: contentProbe(DIR), result: { exitCode: 2 } },
        { argv: cloneScript(SOURCE, DIR, 'agent/myapp-dev-1', ENV), result: { exitCode: 128, stderr: `remote: bad token ${TOKEN}\nfatal: Authentication failed for 'https://git.example/acme/app.git/'\n` } },
      ],
      { redact: (t) => t.replaceAll(TOKEN, '[REDACTED]') },
    );
    const error = await prepareContent(host, workspace, '/root', CONTENT, () => undefined, notices().notices).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "git clone of https://git.example/acme/app.git failed: remote: bad token [REDACTED] | fatal: Authentication failed for 'https://git.example/acme/app.git/'",
    );
  });
});

describe('the workspace after the container', () => {
  const dotfiles = { repository: 'https://git.example/me/dotfiles', installCommand: undefined, targetPath: '~/dotfiles' };

  it('dotfiles in a new container: output to the lifecycle log; a failure is a warning, not a failed workspace', async () => {
    const host = new ScriptedExecutor('198.51.100.7', [
      { argv: matching('docker exec of the dotfiles script', (a) => a[0] === 'docker' && a.includes('https://git.example/me/dotfiles')), result: { exitCode: 1, stdout: 'fatal: repository not found\n' } },
      { argv: matching('append to the lifecycle log', (a) => a.at(-1) === '/root/.kamal-dev/logs/myapp-dev-1.lifecycle.log') },
    ]);
    const { said, notices: n } = notices();
    const { seen, step } = steps();
    await finishContent(host, workspace, { ...CONTENT, dotfiles }, 'created', step, n);
    host.assertDone();
    expect(seen).toEqual(['dotfiles.install']);
    expect(said).toEqual(['warn: myapp-dev-1: dotfiles failed (exit 1): fatal: repository not found; see kamal-dev logs myapp-dev-1 --lifecycle']);
    expect(String(host.runs[1]!.stdin)).toMatch(/^=== \S+ dotfiles https:\/\/git\.example\/me\/dotfiles: exit 1\nfatal: repository not found\n$/);
  });

  it('a kept container: no dotfiles; with --update-content, updateContentCommand runs in it', async () => {
    const host = new ScriptedExecutor('198.51.100.7', [
      { argv: matching('updateContentCommand', (a) => a[0] === 'docker' && a.at(-1) === 'make deps') },
      { argv: matching('append to the lifecycle log', (a) => a.at(-1) === '/root/.kamal-dev/logs/myapp-dev-1.lifecycle.log') },
    ]);
    const { seen, step } = steps();
    await finishContent(host, workspace, { ...CONTENT, dotfiles, updateContent: true }, 'unchanged', step, notices().notices);
    host.assertDone();
    expect(seen).toEqual(['lifecycle.update-content']);
    const quiet = new ScriptedExecutor('198.51.100.7', []);
    await finishContent(quiet, workspace, { ...CONTENT, dotfiles }, 'unchanged', () => undefined, notices().notices);
    quiet.assertDone();
    expect(quiet.history).toEqual([]);
  });
});
