import { describe, expect, it } from 'vitest';
import type { ComposeBundle } from '../../src/devcontainer/compose-config.js';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';
import { checkLogService, logsArgv } from '../../src/deploy/logs.js';
import { bindWorkspace, buildServicePlan } from '../../src/deploy/workspace.js';
import { Secret } from '../../src/lib/secret.js';
import { quoteArgv } from '../../src/remote/quote.js';
import { loadedConfig, ROOT } from './make-plan.js';

const DEVCONTAINER = JSON.stringify({
  dockerComposeFile: ['docker-compose.yml'],
  service: 'app',
  runServices: ['db'],
  workspaceFolder: '/workspace',
  containerEnv: { RAILS_ENV: 'development' },
  remoteUser: 'vscode',
  postCreateCommand: 'bin/setup',
});

function servicePlan(options: { destination?: string } = {}) {
  const devcontainer = parseDevcontainer(DEVCONTAINER, '.devcontainer/devcontainer.json', { env: {}, projectFolder: ROOT });
  const bundle: ComposeBundle = { ...devcontainer.composeSettings!, services: ['app', 'db', 'mail'], uploads: ['.'],
    definition: { image: 'ruby:3.2', imageAt: '.devcontainer/docker-compose.yml: services.app.image', build: undefined, entrypoint: undefined, command: undefined, otherBuilds: [] },
    pack: () => Promise.resolve(Buffer.from('')) };
  const config = { ...loadedConfig({ image: '.devcontainer/devcontainer.json', secrets: ['GITHUB_TOKEN'], defaults: { cpus: 2, memory: '4g' } }), destination: options.destination };
  return buildServicePlan({ config, devcontainer: { ...devcontainer, compose: bundle }, secrets: new Map([['GITHUB_TOKEN', new Secret('ghp_x')]]) });
}

describe('a Compose workspace plan: literal', () => {
  const plan = bindWorkspace(servicePlan(), { name: 'myapp-dev-1', index: 1, home: '/root', composeEngine: ['docker-compose'] });
  const F = '-f /root/.kamal-dev/compose/myapp-dev-1/.devcontainer/docker-compose.yml -f /root/.kamal-dev/compose/myapp-dev-1.override.yml';

  it('up names the files on the VM, the override last, and runServices with the service', () => {
    expect(quoteArgv(plan.dockerRun)).toBe(`docker-compose -p myapp-dev-1 ${F} up -d --build --remove-orphans db app`);
    expect(quoteArgv(plan.compose!.stop)).toBe(`docker-compose -p myapp-dev-1 ${F} stop`);
    expect(plan.compose!.downScript).toBe(
      `docker-compose -p myapp-dev-1 ${F} down -v --rmi local --remove-orphans\n` +
        `sh -c 'for c in $(docker ps -aq --filter "$1"); do docker rm -f "$c" >/dev/null; done; for n in $(docker network ls -q --filter "$1"); do docker network rm "$n" >/dev/null; done; for v in $(docker volume ls -q --filter "$1"); do docker volume rm -f "$v" >/dev/null; done' compose-sweep label=com.docker.compose.project=myapp-dev-1\n`,
    );
  });

  it('the override: the workspace folder, the 0600 env file, containerEnv and the limits of defaults on the service; labels on all', () => {
    expect(plan.compose!.overrideContent).toBe(
      [
        'services:',
        '  app:',
        '    container_name: myapp-dev-1',
        '    labels:',
        '      kamal-dev.service: myapp-dev',
        '      kamal-dev.workspace: myapp-dev-1',
        '    volumes:',
        '      - /root/.kamal-dev/workspaces/myapp-dev-1:/workspace',
        '    env_file:',
        '      - /root/.kamal-dev/env/myapp-dev-1.env',
        '    working_dir: /workspace',
        '    environment:',
        '      RAILS_ENV: development',
        '    cpus: 2',
        '    mem_limit: 4g',
        '  db:',
        '    labels:',
        '      kamal-dev.service: myapp-dev',
        '      kamal-dev.workspace: myapp-dev-1',
        '  mail:',
        '    labels:',
        '      kamal-dev.service: myapp-dev',
        '      kamal-dev.workspace: myapp-dev-1',
        '',
      ].join('\n'),
    );
    expect(plan.envFileContent.reveal()).toBe('GITHUB_TOKEN_B64=Z2hwX3g=\n');
    expect(plan.compose!.overrideContent).not.toContain('ghp_x');
  });

  it('lifecycle commands exec in the service container, by its name', () => {
    expect(plan.lifecycle.postCreate.flat().map((c) => quoteArgv(c.argv))).toEqual([
      'docker exec -u vscode -w /workspace --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 /bin/sh -c bin/setup',
    ]);
  });

  it('without a known engine (a dry run) the plan says docker compose; a destination labels every container', () => {
    const dry = bindWorkspace(servicePlan({ destination: 'eu' }), { name: 'myapp-dev-1', index: 1, home: '/root' });
    expect(dry.dockerRun.slice(0, 4)).toEqual(['docker', 'compose', '-p', 'myapp-dev-1']);
    expect(dry.compose!.overrideContent.match(/kamal-dev\.destination: eu/g)).toHaveLength(3);
  });

  it('logs --service: the newest container of that service, found by the project labels', () => {
    expect(logsArgv(plan, { follow: true, tail: 5, since: undefined, lifecycle: false, service: 'db' })).toEqual([
      'sh',
      '-c',
      'c=$(docker ps -aq --filter label=com.docker.compose.project=myapp-dev-1 --filter label=com.docker.compose.service=db | head -n 1); [ -n "$c" ] || { echo "no container of service $0 in the project" >&2; exit 1; }; exec docker logs -f -n 5 "$c"',
      'db',
    ]);
    expect(logsArgv(plan, { follow: false, tail: undefined, since: undefined, lifecycle: false, service: 'app' })).toEqual(['docker', 'logs', 'myapp-dev-1']);
    expect(() => checkLogService(servicePlan(), 'redis')).toThrow('logs: --service "redis" is not a service of .devcontainer/docker-compose.yml; services there: app, db, mail');
  });
});
