import { describe, expect, it } from 'vitest';
import { composeDown, composeEngineOf, composeProjectName, composeServiceContainer, composeStart, composeStop, composeSweep, composeUp, chooseComposeEngine, noComposeMessage } from '../../src/docker/compose.js';
import { composeOverride } from '../../src/docker/compose-override.js';
import { composeEngine } from '../../src/deploy/compose.js';
import { quoteArgv } from '../../src/remote/quote.js';
import { ScriptedExecutor } from '../fakes/scripted-executor.js';

const yes = (stdout: string) => ({ exitCode: 0, stdout });
const missing = { exitCode: 1, stdout: '' };

describe('which Compose runs a VM: the v2 plugin, else docker-compose, else an error naming both', () => {
  it('the plugin where it answers, even when docker-compose is there too', () => {
    expect(chooseComposeEngine(yes('2.29.7\n'), yes('1.29.2\n'))).toEqual({ command: ['docker', 'compose'], version: '2.29.7', major: 2 });
  });
  it('docker-compose (Debian 12 v1) when the plugin is missing', () => {
    expect(chooseComposeEngine(missing, yes('1.29.2\n'))).toEqual({ command: ['docker-compose'], version: '1.29.2', major: 1 });
  });
  it('a v2 installed as docker-compose is v2: decided by the number, not the name', () => {
    expect(chooseComposeEngine(missing, yes('v2.20.3\n'))).toEqual({ command: ['docker-compose'], version: '2.20.3', major: 2 });
  });
  it('neither: undefined, and the message names both commands', () => {
    expect(chooseComposeEngine(missing, { exitCode: 127, stdout: '' })).toBeUndefined();
    expect(noComposeMessage('10.0.0.5')).toBe(
      '10.0.0.5: Docker Compose is not installed: neither `docker compose` (Docker\'s Compose v2 plugin) nor `docker-compose` answers `version --short`',
    );
  });
  it('an exit 0 that is not a version (v1 prints usage and exits 0 on what it does not know) is no engine', () => {
    expect(composeEngineOf(['docker', 'compose'], yes('Usage:  docker [OPTIONS] COMMAND\n'))).toBeUndefined();
    expect(chooseComposeEngine(yes('Usage: docker compose\n'), yes('1.29.2'))?.command).toEqual(['docker-compose']);
  });
});

describe('project names both v1 and v2 accept', () => {
  it('a workspace name already of the form is kept', () => {
    expect(composeProjectName('myapp-dev-1')).toBe('myapp-dev-1');
    expect(composeProjectName('e2e_dev_10')).toBe('e2e_dev_10');
  });
  it('upper case, dots and a leading underscore are normalised, and a hash keeps two names apart', () => {
    expect(composeProjectName('MyApp.Dev-1')).toMatch(/^myappdev-1-[0-9a-f]{8}$/);
    expect(composeProjectName('_tmp')).toMatch(/^tmp-[0-9a-f]{8}$/);
    expect(composeProjectName('Dev.1')).not.toBe(composeProjectName('dev1'));
    for (const name of ['MyApp.Dev-1', '_tmp', '..', 'A']) expect(composeProjectName(name)).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });
});

describe('compose argv: literal command lines', () => {
  const c = { engine: ['docker-compose'], project: 'myapp-dev-1', files: ['/root/.kamal-dev/compose/myapp-dev-1/.devcontainer/docker-compose.yml', '/root/.kamal-dev/compose/myapp-dev-1.override.yml'] };
  const F = '-f /root/.kamal-dev/compose/myapp-dev-1/.devcontainer/docker-compose.yml -f /root/.kamal-dev/compose/myapp-dev-1.override.yml';
  it('up, with and without runServices', () => {
    expect(quoteArgv(composeUp(c, undefined))).toBe(`docker-compose -p myapp-dev-1 ${F} up -d --build --remove-orphans`);
    expect(quoteArgv(composeUp({ ...c, engine: ['docker', 'compose'] }, ['db', 'app']))).toBe(`docker compose -p myapp-dev-1 ${F} up -d --build --remove-orphans db app`);
  });
  it('stop, start, down -v', () => {
    expect(quoteArgv(composeStop(c))).toBe(`docker-compose -p myapp-dev-1 ${F} stop`);
    expect(quoteArgv(composeStart(c))).toBe(`docker-compose -p myapp-dev-1 ${F} start`);
    expect(quoteArgv(composeDown(c))).toBe(`docker-compose -p myapp-dev-1 ${F} down -v --rmi local --remove-orphans`);
  });
  it('the sweep and the service look-up select by the project label', () => {
    expect(composeSweep('myapp-dev-1')).toEqual([
      'sh',
      '-c',
      'for c in $(docker ps -aq --filter "$1"); do docker rm -f "$c" >/dev/null; done; for n in $(docker network ls -q --filter "$1"); do docker network rm "$n" >/dev/null; done; for v in $(docker volume ls -q --filter "$1"); do docker volume rm -f "$v" >/dev/null; done',
      'compose-sweep',
      'label=com.docker.compose.project=myapp-dev-1',
    ]);
    expect(quoteArgv(composeServiceContainer('myapp-dev-1', 'db'))).toBe(
      'docker ps -aq --filter label=com.docker.compose.project=myapp-dev-1 --filter label=com.docker.compose.service=db',
    );
  });
});

describe('the override file: literal YAML', () => {
  const base = {
    service: 'app',
    containerName: 'myapp-dev-1',
    labels: [['kamal-dev.service', 'myapp-dev'], ['kamal-dev.workspace', 'myapp-dev-1']] as [string, string][],
    otherServices: ['db'],
    otherLabels: [['kamal-dev.service', 'myapp-dev'], ['kamal-dev.workspace', 'myapp-dev-1']] as [string, string][],
    volumes: ['/root/.kamal-dev/workspaces/myapp-dev-1:/workspace'],
    envFile: '/root/.kamal-dev/env/myapp-dev-1.env',
    env: [],
    publish: [],
    cpus: undefined,
    memory: undefined,
    memorySwap: undefined,
    init: false,
    privileged: false,
    capAdd: [],
    securityOpt: [],
    user: undefined,
    workdir: '/workspace',
    keepAlive: false,
  };
  it('the minimum: name, labels, the workspace folder, the env file; the other services labelled', () => {
    expect(composeOverride(base)).toBe(
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
        '  db:',
        '    labels:',
        '      kamal-dev.service: myapp-dev',
        '      kamal-dev.workspace: myapp-dev-1',
        '',
      ].join('\n'),
    );
  });
  it('limits from defaults, containerEnv with a literal $, ports, user, init, the keep-alive', () => {
    const yaml = composeOverride({ ...base, otherServices: [], env: [['PRICE', '$5 and ${HOME}']], publish: ['127.0.0.1:3000:3000'], cpus: 2, memory: '4g', memorySwap: '8g', init: true, user: 'vscode', keepAlive: true });
    expect(yaml).toContain(['    environment:', '      PRICE: $$5 and $${HOME}', '    ports:', '      - 127.0.0.1:3000:3000', '    cpus: 2', '    mem_limit: 4g', '    memswap_limit: 8g', '    init: true', '    user: vscode', '    entrypoint:', '      - /bin/sh', '      - -c', '      - echo Container started; trap "exit 0" 15; exec "$$@"; while sleep 1 & wait $$!; do :; done', '      - "-"', '    command: []', ''].join('\n'));
  });
});

describe('composeEngine on a VM (scripted executor): the questions it asks and what it picks', () => {
  const plugin = ['docker', 'compose', 'version', '--short'];
  const standalone = ['docker-compose', 'version', '--short'];
  it('asks the plugin first and stops there when it answers', async () => {
    const vm = new ScriptedExecutor('10.0.0.5', [{ argv: plugin, result: { stdout: '2.29.7\n' } }]);
    expect(await composeEngine(vm)).toEqual(['docker', 'compose']);
    expect(vm.argvs).toEqual([plugin]);
  });
  it('then docker-compose', async () => {
    const vm = new ScriptedExecutor('10.0.0.5', [
      { argv: plugin, result: { exitCode: 1, stderr: "docker: 'compose' is not a docker command.\n" } },
      { argv: standalone, result: { stdout: '1.29.2\n' } },
    ]);
    expect(await composeEngine(vm)).toEqual(['docker-compose']);
    expect(vm.argvs).toEqual([plugin, standalone]);
  });
  it('else fails naming both', async () => {
    const vm = new ScriptedExecutor('10.0.0.5', [
      { argv: plugin, result: { exitCode: 1 } },
      { argv: standalone, result: { exitCode: 127, stderr: 'sh: 1: docker-compose: not found\n' } },
    ]);
    await expect(composeEngine(vm)).rejects.toThrow(noComposeMessage('10.0.0.5'));
  });
});
