import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { list } from 'tar';
import { describe, expect, it } from 'vitest';
import { syncPaths, syncTree, unpackScript } from '../../src/deploy/content/sync.js';
import { buildSyncTree } from '../../src/project/sync-tree.js';
import { resolveGitSource } from '../../src/project/git-checkout.js';
import { envFileKey } from '../../src/docker/env-file.js';
import { loadedConfig } from '../deploy/make-plan.js';
import { matching, ScriptedExecutor } from '../fakes/scripted-executor.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-sync-tree-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function entries(tar: Buffer): Promise<string[]> {
  const names: string[] = [];
  const parser = list({ onReadEntry: (entry) => void names.push(entry.path) });
  const ended = new Promise((resolve) => parser.on('end', resolve));
  parser.end(tar);
  await ended;
  return names.sort();
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });

describe('the local tree a sync uploads', () => {
  it('outside a git checkout: every file but .kamal/ and the patterns of .kamal/syncignore', async () => {
    const dir = tree({ 'a.txt': 'a', 'src/b.ts': 'b', 'node_modules/x/i.js': 'x', 'debug.log': 'l', '.kamal/secrets': 'S=1', '.kamal/syncignore': 'node_modules/\n*.log\n', '.env.example': 'E=' });
    const built = await buildSyncTree(dir);
    expect(built.paths.sort()).toEqual(['.env.example', 'a.txt', 'src/b.ts']);
    expect(await entries(built.tar)).toEqual(['.env.example', 'a.txt', 'src/b.ts']);
  });

  it("in a git checkout: tracked and untracked files git does not ignore, not files deleted since, never .kamal/", async () => {
    const dir = tree({ '.gitignore': 'ignored.txt\n', 'kept.txt': 'k', 'gone.txt': 'g', '.kamal/secrets': 'S=1' });
    git(dir, 'init', '--quiet');
    git(dir, 'add', '.');
    git(dir, 'commit', '--quiet', '-m', 'x');
    rmSync(path.join(dir, 'gone.txt'));
    writeFileSync(path.join(dir, 'new.txt'), 'n');
    writeFileSync(path.join(dir, 'ignored.txt'), 'i');
    const built = await buildSyncTree(dir);
    expect(built.paths.sort()).toEqual(['.gitignore', 'kept.txt', 'new.txt']);
  });

  it('a link inside the tree goes up as a link; one pointing outside refuses the whole sync (exit 2)', async () => {
    const dir = tree({ 'a.txt': 'a' });
    symlinkSync('a.txt', path.join(dir, 'inside'));
    expect((await buildSyncTree(dir)).paths.sort()).toEqual(['a.txt', 'inside']);
    symlinkSync('../../etc', path.join(dir, 'outside'));
    await expect(buildSyncTree(dir)).rejects.toMatchObject({ exitCode: 2, message: 'sync: "outside" is a link to ../../etc, outside the folder; nothing was uploaded' });
  });

  it('an empty tree is a valid empty archive', async () => {
    const built = await buildSyncTree(tree({}));
    expect(built.paths).toEqual([]);
    expect(built.tar).toEqual(Buffer.alloc(1024));
  });
});

describe('the sync on the VM', () => {
  it('reads the last manifest, uploads the tar, unpacks it deleting what is gone, writes the new manifest', async () => {
    const paths = syncPaths('/root', 'w-1');
    const host = new ScriptedExecutor('198.51.100.7', [
      { argv: matching('cat of the manifest', (a) => a.at(-1) === paths.manifest), result: { stdout: 'a.txt\0old.txt\0../evil\0' } },
      { argv: unpackScript('/root/.kamal-dev/workspaces/w-1', paths.tar) },
    ]);
    const result = await syncTree(host, { tar: Buffer.from('tar bytes'), paths: ['a.txt', 'new.txt'] }, '/root/.kamal-dev/workspaces/w-1', paths);
    host.assertDone();
    expect(result).toEqual({ uploaded: 2, deleted: 1 });
    expect(host.runs[1]!.stdin).toBe('old.txt\0');
    expect(host.uploads.map((u) => [u.path, u.mode.toString(8), u.content.toString()])).toEqual([
      [paths.tar, '600', 'tar bytes'],
      [paths.manifest, '600', 'a.txt\0new.txt\0'],
    ]);
  });

  it('a tree with a path out of the folder is refused before anything is uploaded', async () => {
    const host = new ScriptedExecutor('198.51.100.7', []);
    await expect(syncTree(host, { tar: Buffer.alloc(0), paths: ['ok', '../x'] }, '/ws', syncPaths('/root', 'w'))).rejects.toThrow('sync: "../x" climbs out of the folder with ..; nothing was uploaded');
    expect(host.history).toEqual([]);
  });
});

describe("git:'s defaults from the local checkout", () => {
  const runner = (answers: Record<string, string | undefined>) => async (_dir: string, args: readonly string[]) => answers[args.join(' ')];

  it('origin and the current branch; a detached checkout gives its commit; the token only for http(s)', async () => {
    const config = loadedConfig({ secrets: ['GITHUB_TOKEN'], git: { token: 'GITHUB_TOKEN', branch: 'agent/{name}' } });
    expect(await resolveGitSource(config, envFileKey, runner({ 'remote get-url origin': 'https://github.com/acme/app.git\n', 'symbolic-ref --quiet --short HEAD': 'feature/x\n' }))).toEqual({
      repository: 'https://github.com/acme/app.git',
      ref: 'feature/x',
      branch: 'agent/{name}',
      depth: undefined,
      submodules: false,
      tokenKey: 'GITHUB_TOKEN_B64',
      forwardAgent: false,
      knownHosts: undefined,
    });
    const detached = await resolveGitSource(config, envFileKey, runner({ 'remote get-url origin': 'git@github.com:acme/app.git\n', 'rev-parse --verify --quiet HEAD': `${'c'.repeat(40)}\n` }));
    expect([detached?.ref, detached?.tokenKey]).toEqual(['c'.repeat(40), undefined]);
  });

  it('forward_agent: kept for an ssh origin; an https origin is exit 2 naming the key', async () => {
    const config = loadedConfig({ git: { forward_agent: true, known_hosts: 'git.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDummy' } });
    const ssh = await resolveGitSource(config, envFileKey, runner({ 'remote get-url origin': 'ssh://git@git.example/acme/app.git\n' }));
    expect([ssh?.forwardAgent, ssh?.knownHosts]).toEqual([true, 'git.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDummy']);
    await expect(resolveGitSource(config, envFileKey, runner({ 'remote get-url origin': 'https://github.com/acme/app.git\n' }))).rejects.toMatchObject({
      exitCode: 2,
      message: 'config/dev.yml: git.forward_agent: https://github.com/acme/app.git is not an ssh repository (ssh:// or user@host:path); the agent is forwarded to ssh only',
    });
  });

  it('no git: nothing; no repository outside a checkout: exit 2 naming the key', async () => {
    expect(await resolveGitSource(loadedConfig(), envFileKey, runner({}))).toBeUndefined();
    await expect(resolveGitSource(loadedConfig({ git: { ref: 'main' } }), envFileKey, runner({}))).rejects.toMatchObject({
      exitCode: 2,
      message: 'config/dev.yml: git.repository: not set, and /home/dev/myapp is not a git checkout with an origin remote',
    });
  });
});
