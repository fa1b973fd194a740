import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { seedProject, type Project } from './project.js';

const DC = '.devcontainer/devcontainer.json';
const COMPOSE = '.devcontainer/docker-compose.yml';
const IMAGE_COMPOSE = 'services:\n  app:\n    image: ruby:3.2\n  db:\n    image: postgres:16\n';
const BUILD_COMPOSE = 'services:\n  app:\n    build: ./app\n  web:\n    build: ./web\n';
const FEATURE = JSON.stringify({ id: 'flavour', options: { flavour: { type: 'string', default: 'plain' } }, containerEnv: { FLAVOUR_FILE: '/opt/flavour' } });
const dc = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ dockerComposeFile: 'docker-compose.yml', service: 'app', workspaceFolder: '/workspace', features: { './flavour': { flavour: 'mint' } }, ...extra });

interface Case {
  what: string;
  files: Record<string, string>;
  /** The whole ERROR line, after `ERROR: `. */
  message: string | RegExp;
}

const CASES: Case[] = [
  { what: 'an unknown option of a feature', files: { [DC]: dc({ features: { './flavour': { colour: 'red' } } }) }, message: `${DC}: features: "./flavour": unknown option "colour" (the feature has flavour)` },
  { what: 'an option of the wrong type', files: { [DC]: dc({ features: { './flavour': { flavour: true } } }) }, message: `${DC}: features: "./flavour": option "flavour" expects a string, got true` },
  { what: 'a local feature that does not exist', files: { [DC]: dc({ features: { './nope': {} } }) }, message: /^\.devcontainer\/devcontainer\.json: features: "\.\/nope": no devcontainer-feature\.json in \/.*\/\.devcontainer\/nope$/ },
  { what: 'a legacy bare feature name', files: { [DC]: dc({ features: { node: {} } }) }, message: /^\.devcontainer\/devcontainer\.json:1:\d+: features\.node: a bare name is a legacy feature kamal-dev does not support/ },
  {
    what: "features on a service whose image Compose interpolates",
    files: { [COMPOSE]: 'services:\n  app:\n    image: ruby:${RUBY_VERSION}\n' },
    message: `${COMPOSE}: services.app.image: "ruby:\${RUBY_VERSION}" uses a variable; with features (${DC}) kamal-dev needs the service's image written literally`,
  },
];

describe('features on a Docker Compose service: planned like a single container\'s', () => {
  let project: Project;
  let before: string[];
  beforeAll(() => {
    project = seedProject();
    project.write('.kamal/secrets', 'GITHUB_TOKEN=ghp_x\nDATABASE_URL=postgres://x\n');
    project.write(DC, dc());
    project.write(COMPOSE, IMAGE_COMPOSE);
    project.write('.devcontainer/flavour/devcontainer-feature.json', FEATURE);
    project.write('.devcontainer/flavour/install.sh', '#!/bin/sh\necho "$FLAVOUR" > /opt/flavour\n');
    project.write('.devcontainer/app/Dockerfile', 'FROM busybox\n');
    project.write('.devcontainer/web/Dockerfile', 'FROM busybox\n');
    before = project.snapshot();
  });
  afterAll(() => project.cleanup());

  const dryRun = (format: 'text' | 'json') => runCli(['deploy', '--dry-run', '--format', format], { cwd: project.dir, env: project.env });

  it("deploy --dry-run shows the features image on the service's image, and the override runs it", async () => {
    const text = await dryRun('text');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\n {2}image: kamal-dev\/myapp-dev:[0-9a-f]{20}: 1 feature\(s\) on pull ruby:3\.2\n {4}feature \.\/flavour \(local\) \{"flavour":"mint"\}\n/);
    const json = await dryRun('json');
    const plan = JSON.parse(json.stdout) as { workspaces: { image: { kind: string; ref: string; base: unknown; features: unknown[] }; docker_run: string[] }[] };
    const { image } = plan.workspaces[0]!;
    expect([image.kind, image.base, image.features]).toEqual(['features', { kind: 'pull', ref: 'ruby:3.2' }, [{ id: './flavour', digest: null, options: { flavour: 'mint' } }]]);
    expect(plan.workspaces[0]!.docker_run.slice(-4)).toEqual(['up', '-d', '--build', '--remove-orphans']);
  });

  it("a build: service: the base is Compose's build of it, tagged by its inputs' hash; up without --build", async () => {
    project.write(COMPOSE, BUILD_COMPOSE);
    try {
      const text = await dryRun('text');
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/\n {2}image: kamal-dev\/myapp-dev:[0-9a-f]{20}: 1 feature\(s\) on Compose build of service app as kamal-dev\/myapp-dev:[0-9a-f]{20} \(inputs [0-9a-f]{12}\)\n/);
      const json = JSON.parse((await dryRun('json')).stdout) as { workspaces: { image: { base: { kind: string; service: string } }; docker_run: string[] }[] };
      expect([json.workspaces[0]!.image.base.kind, json.workspaces[0]!.image.base.service]).toEqual(['compose-build', 'app']);
      expect(json.workspaces[0]!.docker_run.slice(-3)).toEqual(['up', '-d', '--remove-orphans']);
      const first = (await dryRun('text')).stdout;
      project.write('.devcontainer/app/Dockerfile', 'FROM busybox\nRUN true\n');
      const edited = (await dryRun('text')).stdout;
      const base = (out: string) => /Compose build of service app as (\S+)/.exec(out)![1];
      expect(base(edited)).not.toBe(base(first));
    } finally {
      project.write(COMPOSE, IMAGE_COMPOSE);
      project.write('.devcontainer/app/Dockerfile', 'FROM busybox\n');
    }
  });

  for (const c of CASES) {
    it(`bad input: ${c.what}: exit 2, one line naming the file`, async () => {
      for (const [file, content] of Object.entries(c.files)) project.write(file, content);
      try {
        for (const command of [['deploy', '--dry-run'], ['deploy', '--yes']]) {
          const r = await runCli(command, { cwd: project.dir, env: project.env });
          expect([r.code, r.stdout]).toEqual([2, '']);
          const errors = r.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
          expect(errors).toHaveLength(1);
          if (typeof c.message === 'string') expect(errors[0]).toBe(`ERROR: ${c.message}`);
          else expect(errors[0]!.slice('ERROR: '.length)).toMatch(c.message);
        }
      } finally {
        project.write(DC, dc());
        project.write(COMPOSE, IMAGE_COMPOSE);
      }
    });
  }

  it('created nothing: no state, no file', () => {
    expect(project.snapshot().map((l) => l.split(' ')[0])).toEqual(before.map((l) => l.split(' ')[0]));
  });
});
