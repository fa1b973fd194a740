import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitSource } from '../../src/config/content-plan.js';
import { cloneScript, credentialHelper, updateScript, UPDATE_LOCAL_CHANGES, UPDATE_NOT_FAST_FORWARD } from '../../src/deploy/content/git-scripts.js';
import { startGitServer, type GitServer } from '../localcloud/git-server.js';

const SOURCE: GitSource = { repository: 'https://git.example/acme/app.git', ref: 'main', branch: 'agent/{name}', depth: undefined, submodules: false, tokenKey: 'GITHUB_TOKEN_B64', forwardAgent: false, knownHosts: undefined };
const ENV = '/root/.kamal-dev/env/w-1.env';
const HELPER = `!f() { test "$1" = get || return 0; test -n "$GITHUB_TOKEN_B64" || return 0; echo username=x-access-token; printf 'password=%s\\n' "$(printf %s "$GITHUB_TOKEN_B64" | base64 -d)"; }; f`;

describe('the git commands of a workspace (pure)', () => {
  it('known_hosts: each line added once to ~/.ssh/known_hosts (0700/0600) before the clone and the fetch', () => {
    const line = 'git.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey';
    const source: GitSource = { ...SOURCE, repository: 'git@git.example:acme/app.git', tokenKey: undefined, forwardAgent: true, knownHosts: `${line}\n\n` };
    const expected = [
      '(umask 077 && mkdir -p "$HOME/.ssh" && touch "$HOME/.ssh/known_hosts")',
      `grep -qxF '${line}' "$HOME/.ssh/known_hosts" || printf '%s\\n' '${line}' >> "$HOME/.ssh/known_hosts"`,
    ];
    expect(cloneScript(source, '/w', undefined, ENV)[2]!.split('\n').slice(2, 4)).toEqual(expected);
    expect(updateScript(source, '/w', ENV)[2]!.split('\n').slice(2, 4)).toEqual(expected);
    expect(cloneScript({ ...source, knownHosts: undefined }, '/w', undefined, ENV)[2]).not.toContain('known_hosts');
  });

  it('clone: token from the env file into the environment only, helper scoped to the URL, branch made from ref', () => {
    const argv = cloneScript(SOURCE, '/root/.kamal-dev/workspaces/w-1', 'agent/w-1', ENV);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]!.split('\n')).toEqual([
      'set -e',
      'export GIT_TERMINAL_PROMPT=0',
      `GITHUB_TOKEN_B64=$(sed -n 's/^GITHUB_TOKEN_B64=//p' ${ENV})`,
      'export GITHUB_TOKEN_B64',
      'mkdir -p /root/.kamal-dev/workspaces/w-1',
      `git clone --quiet -c 'credential.https://git.example/acme/app.git.helper=${HELPER.replaceAll("'", "'\\''")}' --branch main -- https://git.example/acme/app.git /root/.kamal-dev/workspaces/w-1`,
      'cd /root/.kamal-dev/workspaces/w-1',
      'git checkout --quiet -b agent/w-1',
    ]);
    expect(credentialHelper('GITHUB_TOKEN_B64')).toBe(HELPER);
  });

  it('clone of a commit, shallow, with submodules and no token; of the default branch without ref', () => {
    const commit = 'a'.repeat(40);
    const argv = cloneScript({ ...SOURCE, ref: commit, depth: 1, submodules: true, tokenKey: undefined }, 'ws', undefined, ENV);
    expect(argv[2]!.split('\n')).toEqual([
      'set -e',
      'export GIT_TERMINAL_PROMPT=0',
      'mkdir -p ws',
      'git clone --quiet --depth 1 --recurse-submodules --no-checkout -- https://git.example/acme/app.git ws',
      'cd ws',
      `git cat-file -e '${commit}^{commit}' 2>/dev/null || git fetch --quiet --depth 1 origin ${commit}`,
      `git checkout --quiet ${commit}`,
      'git submodule update --quiet --init --recursive',
    ]);
    expect(cloneScript({ ...SOURCE, ref: undefined, tokenKey: undefined }, 'ws', undefined, ENV)[2]).toContain('git clone --quiet -- https://git.example/acme/app.git ws');
  });

  it('a repository or ref that looks like an option stays an argument (after --, quoted)', () => {
    const text = cloneScript({ ...SOURCE, repository: 'https://x/$(touch pwned)', tokenKey: undefined }, 'ws; rm -rf ~', undefined, ENV)[2]!;
    expect(text).toContain("-- 'https://x/$(touch pwned)' 'ws; rm -rf ~'");
  });

  it('update: local changes and a diverged branch have exit codes of their own', () => {
    const text = updateScript(SOURCE, 'ws', ENV)[2]!;
    expect(text).toContain(`then echo 'local changes'; exit ${UPDATE_LOCAL_CHANGES}; fi`);
    expect(text).toContain(`git fetch --quiet origin main`);
    expect(text).toContain(`exit ${UPDATE_NOT_FAST_FORWARD}; }`);
  });
});

const run = promisify(execFile);
const sh = (argv: readonly string[], env: NodeJS.ProcessEnv = {}) => run(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH, HOME: tmpdir(), ...env } }).then(
  (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
);

describe('the scripts run by sh and git against a git server with basic auth (this machine)', () => {
  const TOKEN = 'tok-' + Math.random().toString(36).slice(2);
  let server: GitServer;
  let dir: string;
  let envFile: string;
  let source: GitSource;

  beforeAll(async () => {
    server = await startGitServer('127.0.0.1', TOKEN);
    server.createRepo('app', { 'README.md': 'v1\n' });
    dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-git-scripts-'));
    envFile = path.join(dir, 'w.env');
    writeFileSync(envFile, `OTHER_B64=eA==\nGITHUB_TOKEN_B64=${Buffer.from(TOKEN).toString('base64')}\n`, { mode: 0o600 });
    source = { ...SOURCE, repository: server.url('app') };
  });
  afterAll(() => server?.close());

  it('clones on its own branch, pushes with the helper, fast-forwards, and leaves local changes alone', async () => {
    const ws = path.join(dir, 'ws');
    const cloned = await sh(cloneScript(source, ws, 'agent/w-1', envFile));
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(readFileSync(path.join(ws, 'README.md'), 'utf8')).toBe('v1\n');
    expect((await sh(['git', '-C', ws, 'rev-parse', '--abbrev-ref', 'HEAD'])).stdout).toBe('agent/w-1\n');
    const config = readFileSync(path.join(ws, '.git', 'config'), 'utf8');
    expect(config).toContain(`[credential "${server.url('app')}"]`);
    expect(config).not.toContain(TOKEN);
    expect(config).not.toContain(Buffer.from(TOKEN).toString('base64'));
    expect(readdirSync(dir)).toEqual(['w.env', 'ws']);

    // as in a container: the token in the environment as NAME_B64, the helper of .git/config
    const pushed = await sh(['git', '-C', ws, 'push', '--quiet', 'origin', 'HEAD'], { GITHUB_TOKEN_B64: Buffer.from(TOKEN).toString('base64'), GIT_TERMINAL_PROMPT: '0' });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(server.branches('app')).toEqual(['agent/w-1', 'main']);
    // without the variable, the helper answers nothing and the server refuses
    const refused = await sh(['git', '-C', ws, 'fetch', 'origin'], { GIT_TERMINAL_PROMPT: '0' });
    expect(refused.code).not.toBe(0);

    server.commit('app', { 'NEWS.md': 'v2\n' });
    const updated = await sh(updateScript(source, ws, envFile));
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/^updated [0-9a-f]{40}\.\.[0-9a-f]{40}\n$/);
    expect(readFileSync(path.join(ws, 'NEWS.md'), 'utf8')).toBe('v2\n');
    expect((await sh(updateScript(source, ws, envFile))).stdout).toBe('up to date\n');

    writeFileSync(path.join(ws, 'README.md'), 'edited\n');
    server.commit('app', { 'NEWS.md': 'v3\n' });
    const kept = await sh(updateScript(source, ws, envFile));
    expect([kept.code, kept.stdout]).toEqual([UPDATE_LOCAL_CHANGES, 'local changes\n']);
    expect(readFileSync(path.join(ws, 'NEWS.md'), 'utf8')).toBe('v2\n');
  });

  it('a wrong token: the clone fails with git\'s message, which holds no token', async () => {
    const wrongEnv = path.join(dir, 'wrong.env');
    writeFileSync(wrongEnv, `GITHUB_TOKEN_B64=${Buffer.from('not-it').toString('base64')}\n`);
    const failed = await sh(cloneScript(source, path.join(dir, 'ws2'), undefined, wrongEnv));
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/Authentication failed|could not read/);
    expect(failed.stderr).not.toContain('not-it');
  });
});
