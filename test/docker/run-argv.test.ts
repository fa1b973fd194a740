import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYaml, validateConfig } from '../../src/config/load.js';
import { imageOnlyDevcontainer, parseDevcontainer } from '../../src/devcontainer/parse.js';
import { bindWorkspace, buildServicePlan } from '../../src/deploy/workspace.js';
import { Secret } from '../../src/lib/secret.js';
import { commandLine, ENV_FILE, HEAD, KEEP, loadedConfig, plan, ROOT, servicePlan, WS_MOUNT } from '../deploy/make-plan.js';

const keep = (image: string) => KEEP.replace('IMAGE', image);
const DEFAULT_FOLDER = '/workspaces/myapp';
/** The flags every plan of a plain image has: the default workspace mount and the env file. */
const BASE = `${HEAD} ${WS_MOUNT(DEFAULT_FOLDER)} ${ENV_FILE}`;

describe('docker run argv: literal command lines', () => {
  it('1. fixtures/seed-example: ports, env, limits, user, folder and the keep-alive', () => {
    const root = new URL('../../fixtures/seed-example/', import.meta.url);
    const dev = validateConfig(parseYaml(readFileSync(new URL('config/dev.yml', root), 'utf8'), 'config/dev.yml'), 'config/dev.yml');
    const config = { ...loadedConfig(), config: dev };
    const devcontainer = parseDevcontainer(readFileSync(new URL('.devcontainer/devcontainer.json', root), 'utf8'), '.devcontainer/devcontainer.json', {
      env: {},
      projectFolder: ROOT,
    });
    const secrets = new Map([['GITHUB_TOKEN', new Secret('ghp_x')], ['DATABASE_URL', new Secret('postgres://x')]]);
    const p = bindWorkspace(buildServicePlan({ config, devcontainer, secrets }), { name: 'myapp-dev-1', index: 1, home: '/root' });
    const line = commandLine(p);
    expect(line).toContain('-p 127.0.0.1:3000:3000 -p 127.0.0.1:5432:5432 -e RAILS_ENV=development --cpus 2 --memory 4g -w /workspace');
    expect(line).toBe(
      `${HEAD} --mount source=/root/.kamal-dev/workspaces/myapp-dev-1,target=/workspace,type=bind ${ENV_FILE} -p 127.0.0.1:3000:3000 -p 127.0.0.1:5432:5432 -e RAILS_ENV=development --cpus 2 --memory 4g -w /workspace ${keep('ruby:3.2')}`,
    );
    expect(p.envFileKeys).toEqual(['GITHUB_TOKEN_B64', 'DATABASE_URL_B64']);
    expect(p.remoteUser).toBe('vscode');
  });

  it('2. a bare image: default workspaceFolder from the project folder, default workspace mount', () => {
    expect(commandLine(plan({ devcontainer: '{"image":"ubuntu:24.04"}' }))).toBe(`${BASE} -w ${DEFAULT_FOLDER} ${keep('ubuntu:24.04')}`);
  });

  it('3. forwardPorts on a shared VM: docker picks the host ports, on the VM\'s loopback', () => {
    const p = plan({ devcontainer: '{"image":"node:20","forwardPorts":[3000,5432]}', spread: false });
    expect(commandLine(p)).toBe(`${BASE} -p 127.0.0.1::3000 -p 127.0.0.1::5432 -w ${DEFAULT_FOLDER} ${keep('node:20')}`);
    expect(p.ports).toEqual([{ containerPort: 3000, hostPort: undefined }, { containerPort: 5432, hostPort: undefined }]);
  });

  it('4. appPort: numbers as 127.0.0.1:N:N, strings with an address verbatim, a port already forwarded only once', () => {
    const p = plan({ devcontainer: '{"image":"node:20","forwardPorts":[8080],"appPort":[8080,"0.0.0.0:2222:2222",6080,"7000:7001","9000/udp"]}' });
    expect(commandLine(p)).toBe(`${BASE} -p 127.0.0.1:8080:8080 -p 0.0.0.0:2222:2222 -p 127.0.0.1:6080:6080 -p 127.0.0.1:7000:7001 -p 127.0.0.1::9000/udp -w ${DEFAULT_FOLDER} ${keep('node:20')}`);
  });

  it('5. forwardPorts "localhost:N" is N; "service:N" is skipped with a warning', () => {
    const c = { devcontainer: '{"image":"node:20","forwardPorts":["localhost:8000","db:5432",3000]}' };
    const p = plan(c);
    expect(commandLine(p)).toBe(`${BASE} -p 127.0.0.1:8000:8000 -p 127.0.0.1:3000:3000 -w ${DEFAULT_FOLDER} ${keep('node:20')}`);
    expect(servicePlan(c).warnings).toEqual([expect.stringContaining('"db:5432" names another service')]);
  });

  it('5b. ports: {public: true} in dev.yml publishes on every interface, as before', () => {
    const dc = '{"image":"node:20","forwardPorts":[8080],"appPort":["7000:7001"]}';
    expect(commandLine(plan({ devcontainer: dc, config: { ports: { public: true } } }))).toBe(`${BASE} -p 8080:8080 -p 7000:7001 -w ${DEFAULT_FOLDER} ${keep('node:20')}`);
    expect(commandLine(plan({ devcontainer: dc, spread: false, config: { ports: { public: true } } }))).toBe(`${BASE} -p 8080 -p 7000:7001 -w ${DEFAULT_FOLDER} ${keep('node:20')}`);
  });

  it('6. mounts in string and object form (an object without source stays anonymous)', () => {
    const p = plan({
      devcontainer: `{"image":"alpine:3","mounts":["source=cache,target=/cache,type=volume",{"type":"volume","target":"/home/x"},{"type":"bind","source":"/srv/data","target":"/data"}]}`,
    });
    expect(commandLine(p)).toBe(
      `${HEAD} ${WS_MOUNT(DEFAULT_FOLDER)} --mount source=cache,target=/cache,type=volume --mount type=volume,dst=/home/x --mount type=bind,src=/srv/data,dst=/data ${ENV_FILE} -w ${DEFAULT_FOLDER} ${keep('alpine:3')}`,
    );
  });

  it('7. workspaceMount "" disables the workspace mount', () => {
    expect(commandLine(plan({ devcontainer: '{"image":"alpine:3","workspaceMount":"","workspaceFolder":"/src"}' }))).toBe(
      `${HEAD} ${ENV_FILE} -w /src ${keep('alpine:3')}`,
    );
  });

  it('8. ${localWorkspaceFolder} in a mount is the workspace folder on the VM; elsewhere the local folder', () => {
    const p = plan({
      devcontainer: '{"image":"alpine:3","workspaceMount":"type=bind,source=${localWorkspaceFolder}/src,target=/code","workspaceFolder":"/code","containerEnv":{"HOST_DIR":"${localWorkspaceFolder}"}}',
    });
    expect(commandLine(p)).toBe(
      `${HEAD} --mount type=bind,source=/root/.kamal-dev/workspaces/myapp-dev-1/src,target=/code ${ENV_FILE} -e HOST_DIR=/home/dev/myapp -w /code ${keep('alpine:3')}`,
    );
  });

  it('9. --user comes from containerUser only; remoteUser runs the lifecycle commands and exec', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3","containerUser":"app","remoteUser":"dev"}' });
    expect(commandLine(p)).toBe(`${BASE} --user app -w ${DEFAULT_FOLDER} ${keep('alpine:3')}`);
    expect(p.remoteUser).toBe('dev');
    const remoteOnly = plan({ devcontainer: '{"image":"alpine:3","remoteUser":"dev"}' });
    expect(commandLine(remoteOnly)).toBe(`${BASE} -w ${DEFAULT_FOLDER} ${keep('alpine:3')}`);
    expect(remoteOnly.remoteUser).toBe('dev');
  });

  it('10. init, privileged, capAdd and securityOpt (duplicates once)', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3","init":true,"privileged":true,"capAdd":["SYS_PTRACE","NET_ADMIN","SYS_PTRACE"],"securityOpt":["seccomp=unconfined"]}' });
    expect(commandLine(p)).toBe(
      `${BASE} --init --privileged --cap-add SYS_PTRACE --cap-add NET_ADMIN --security-opt seccomp=unconfined -w ${DEFAULT_FOLDER} ${keep('alpine:3')}`,
    );
  });

  it('11. runArgs come after the generated flags (so they can override --memory) and before the image', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3","runArgs":["--memory","8g","--network=host"]}', config: { defaults: { memory: '4g' } } });
    expect(commandLine(p)).toBe(`${BASE} --memory 4g -w ${DEFAULT_FOLDER} --memory 8g --network=host ${keep('alpine:3')}`);
  });

  it('12. overrideCommand false: the image runs its own command, no keep-alive', () => {
    expect(commandLine(plan({ devcontainer: '{"image":"postgres:16","overrideCommand":false}' }))).toBe(`${BASE} -w ${DEFAULT_FOLDER} postgres:16`);
  });

  it('13. defaults become --cpus, --memory and --memory-swap', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3"}', config: { defaults: { cpus: 1.5, memory: '2g', memory_swap: -1 } } });
    expect(commandLine(p)).toBe(`${BASE} --cpus 1.5 --memory 2g --memory-swap -1 -w ${DEFAULT_FOLDER} ${keep('alpine:3')}`);
  });

  it('14. variables: localEnv with and without default, containerWorkspaceFolder, devcontainerId; unknown ones stay', () => {
    const p = plan({
      devcontainer: JSON.stringify({
        image: 'alpine:3',
        workspaceFolder: '/work/${localWorkspaceFolderBasename}',
        containerEnv: {
          A: '${localEnv:SET_VAR}',
          B: '${localEnv:UNSET_VAR:fallback}',
          C: '${localEnv:UNSET_VAR}',
          D: '${containerWorkspaceFolder}|${containerWorkspaceFolderBasename}',
          E: '${devcontainerId}',
          F: '${templateOption:x} ${containerEnv:PATH}',
        },
      }),
      env: { SET_VAR: 'from env' },
    });
    const e = p.dockerRun.filter((_, i, all) => all[i - 1] === '-e');
    expect(e).toEqual([
      'A=from env',
      'B=fallback',
      'C=',
      'D=/work/myapp|myapp',
      expect.stringMatching(/^E=[0-9a-v]{52}$/),
      'F=${templateOption:x} ${containerEnv:PATH}',
    ]);
    expect(p.workspaceFolder).toBe('/work/myapp');
  });

  it('15. a non-root SSH user: paths under /home/<user>', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3"}', home: '/home/ubuntu' });
    expect(commandLine(p)).toBe(
      `${HEAD} --mount type=bind,source=/home/ubuntu/.kamal-dev/workspaces/myapp-dev-1,target=${DEFAULT_FOLDER} --env-file /home/ubuntu/.kamal-dev/env/myapp-dev-1.env -w ${DEFAULT_FOLDER} ${keep('alpine:3')}`,
    );
    expect(p.envFilePath).toBe('/home/ubuntu/.kamal-dev/env/myapp-dev-1.env');
    expect(p.workspaceDir).toBe('/home/ubuntu/.kamal-dev/workspaces/myapp-dev-1');
  });

  it('16. dev.yml image: an image reference, no devcontainer.json: every default', () => {
    const config = loadedConfig({ image: 'ruby:3.2', defaults: { cpus: 2 } });
    const service = buildServicePlan({ config, devcontainer: imageOnlyDevcontainer('ruby:3.2', { env: {}, projectFolder: ROOT }), secrets: new Map() });
    const p = bindWorkspace(service, { name: 'myapp-dev-1', index: 1, home: '/root' });
    expect(commandLine(p)).toBe(`${BASE} --cpus 2 -w ${DEFAULT_FOLDER} ${keep('ruby:3.2')}`);
    expect(p.envFileKeys).toEqual([]);
  });

  it('17. a custom naming pattern names the container and its labels and paths', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3"}', name: 'myapp-dev-007' });
    expect(commandLine(p)).toBe(
      `${HEAD.replaceAll('myapp-dev-1', 'myapp-dev-007')} ${WS_MOUNT(DEFAULT_FOLDER).replace('myapp-dev-1', 'myapp-dev-007')} ${ENV_FILE.replace('myapp-dev-1', 'myapp-dev-007')} -w ${DEFAULT_FOLDER} ${keep('alpine:3')}`,
    );
  });
});
