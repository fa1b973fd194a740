import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { seedProject, type Project } from './project.js';

const DC = '.devcontainer/devcontainer.json';
const COMPOSE = '.devcontainer/docker-compose.yml';
const GOOD_COMPOSE = 'services:\n  app:\n    image: ruby:3.2\n  db:\n    image: postgres:16\n';
const dc = (extra: Record<string, unknown>) => JSON.stringify({ dockerComposeFile: 'docker-compose.yml', service: 'app', workspaceFolder: '/workspace', ...extra });

interface Case {
  what: string;
  files: Record<string, string>;
  /** The whole ERROR line, after `ERROR: `. */
  message: string;
}

const CASES: Case[] = [
  { what: 'a compose file that does not exist', files: { [DC]: dc({ dockerComposeFile: ['docker-compose.yml', 'nope.yml'] }) }, message: `.devcontainer/nope.yml: no such file (dockerComposeFile of ${DC})` },
  { what: 'a compose file that does not parse', files: { [COMPOSE]: 'services:\n  app:\n    image: ruby:3.2\n   ports: [3000\n' }, message: `${COMPOSE}:4:1: not a YAML file Compose can read (All mapping items must start at the same column)` },
  { what: 'a service that is not in the files', files: { [DC]: dc({ service: 'web' }) }, message: `${DC}:1:53: service: "web" is not a service of ${COMPOSE}; services there: app, db` },
  { what: 'a runServices entry that is not in the files', files: { [DC]: dc({ runServices: ['db', 'redis'] }) }, message: `${DC}:1:104: runServices: "redis" is not a service of ${COMPOSE}; services there: app, db` },
  { what: 'Compose without workspaceFolder', files: { [DC]: '{ "dockerComposeFile": "docker-compose.yml", "service": "app" }' }, message: `${DC}:1:24: dockerComposeFile: workspaceFolder: is required with dockerComposeFile (where the workspace is mounted in the service's container)` },
  { what: 'Compose without service', files: { [DC]: '{ "dockerComposeFile": "docker-compose.yml", "workspaceFolder": "/w" }' }, message: `${DC}:1:24: dockerComposeFile: service: is required with dockerComposeFile (the service that is the workspace's container)` },
  { what: 'a compose file outside the project', files: { [DC]: dc({ dockerComposeFile: '../../elsewhere.yml' }) }, message: `${DC}:1:22: dockerComposeFile: "../../elsewhere.yml" is outside the project folder (kamal-dev uploads the project's compose files only)` },
  { what: 'a build context that does not exist', files: { [COMPOSE]: 'services:\n  app:\n    build: ./app\n' }, message: `.devcontainer/app: no such file or folder (a build context in ${COMPOSE})` },
  { what: 'services not a mapping', files: { [COMPOSE]: 'services:\n  - app\n' }, message: `${COMPOSE}:2:3: services: expected a mapping of service names` },
];

describe('deploy --dry-run: bad Compose inputs are one-line errors naming the file (and line), exit 2, nothing written', () => {
  let project: Project;
  let before: string[];
  beforeAll(() => {
    project = seedProject();
    project.write('.kamal/secrets', 'GITHUB_TOKEN=ghp_x\nDATABASE_URL=postgres://x\n');
    project.write(DC, dc({}));
    project.write(COMPOSE, GOOD_COMPOSE);
    before = project.snapshot();
  });
  afterAll(() => project.cleanup());

  it('the good project plans: the compose up of each workspace, with the files on the VM and the override', async () => {
    const r = await runCli(['deploy', '--dry-run', '--format', 'json'], { cwd: project.dir, env: project.env });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { workspaces: { name: string; docker_run: string[] }[] };
    const ws = '/root/.kamal-dev/compose/myapp-dev-1';
    expect(plan.workspaces[0]!.docker_run).toEqual(['docker', 'compose', '-p', 'myapp-dev-1', '-f', `${ws}/.devcontainer/docker-compose.yml`, '-f', `${ws}.override.yml`, 'up', '-d', '--build', '--remove-orphans']);
  });

  for (const c of CASES) {
    it(c.what, async () => {
      for (const [file, content] of Object.entries(c.files)) project.write(file, content);
      try {
        const r = await runCli(['deploy', '--dry-run'], { cwd: project.dir, env: project.env });
        expect([r.code, r.stdout]).toEqual([2, '']);
        const errors = r.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
        expect(errors).toEqual([`ERROR: ${c.message}`]);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      } finally {
        project.write(DC, dc({}));
        project.write(COMPOSE, GOOD_COMPOSE);
      }
    });
  }

  it('created no file', () => {
    expect(project.snapshot().map((l) => l.split(' ')[0])).toEqual(before.map((l) => l.split(' ')[0]));
  });
});
