import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { seedProject } from '../deploy/project.js';

const DEVCONTAINER = '{ "image": "debian:bookworm" }';
const SECRETS = 'GITHUB_TOKEN=ghp_supersecretvalue\nDATABASE_URL=postgres://u:pw@db/x\n';

/** [what, lines appended to config/dev.yml, deploy's extra arguments, the whole ERROR line] */
const CASES: [string, string, string[], string][] = [
  ['git: without repository outside a git checkout', 'git:\n  ref: main\n', [], 'config/dev.yml: git.repository: not set, and <dir> is not a git checkout with an origin remote'],
  ['--dotfiles that is no URL', '', ['--dotfiles', 'my dotfiles'], '--dotfiles: expected an https, http, ssh or git URL, or user@host:path'],
  ['git.token naming a secret not listed', 'git:\n  repository: https://github.com/acme/app.git\n  token: NPM_TOKEN\n', [], 'config/dev.yml: git.token: NPM_TOKEN is not listed under secrets:'],
  ['git.forward_agent with an https repository', 'git:\n  repository: https://github.com/acme/app.git\n  forward_agent: true\n', [], 'config/dev.yml: git.forward_agent: https://github.com/acme/app.git is not an ssh repository (ssh:// or user@host:path); the agent is forwarded to ssh only'],
  ['git.forward_agent without a local agent', 'git:\n  repository: git@github.com:acme/app.git\n  forward_agent: true\n', [], 'config/dev.yml: git.forward_agent: no local SSH agent to forward (SSH_AUTH_SOCK is not set)'],
  ['git.known_hosts that is no known_hosts line', 'git:\n  repository: git@github.com:acme/app.git\n  known_hosts: "github.com is trusted"\n', [], 'config/dev.yml: git.known_hosts: expected known_hosts lines (host keytype key), got "github.com is trusted"'],
  ['git.branch yielding an invalid name', 'git:\n  repository: https://github.com/acme/app.git\n  branch: "agent:{name}"\n', [], 'config/dev.yml: git.branch: yields "agent:myapp-dev-1", which is not a valid branch name: it contains ":"'],
];

describe('bad git:, dotfiles: and sync input through the real binary: exit 2, one ERROR line, nothing created', () => {
  it.each(CASES)('%s', async (_what, yml, args, message) => {
    const project = seedProject();
    try {
      project.write('.devcontainer/devcontainer.json', DEVCONTAINER);
      project.write('.kamal/secrets', SECRETS);
      project.write('config/dev.yml', readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8') + yml);
      const before = project.snapshot();
      for (const command of [['deploy', '--dry-run', ...args], ['deploy', '--yes', ...args]]) {
        const result = await runCli(command, { cwd: project.dir, env: { ...project.env, UPCLOUD_USERNAME: 'u', UPCLOUD_PASSWORD: 'p', UPCLOUD_API_URL: 'http://127.0.0.1:9' } });
        const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
        expect([command.join(' '), result.code, errors], result.stderr).toEqual([command.join(' '), 2, [`ERROR: ${message.replace('<dir>', project.dir)}`]]);
        expect(result.stderr).not.toContain('ghp_supersecretvalue');
      }
      expect(project.snapshot()).toEqual(before);
    } finally {
      project.cleanup();
    }
  });

  it('sync needs a NAME or --all (exit 2)', async () => {
    const project = seedProject();
    try {
      const result = await runCli(['sync'], { cwd: project.dir, env: project.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^ERROR: sync: give a workspace NAME/m);
    } finally {
      project.cleanup();
    }
  });
});
