import { describe, expect, it } from 'vitest';
import { composeBuild, composeImageOverride, composeUpNoBuild } from '../../src/docker/compose-build.js';
import { composeVolumeOf, namedVolumes } from '../../src/docker/compose-mounts.js';
import { composeOverride, type OverrideOptions } from '../../src/docker/compose-override.js';
import { quoteArgv } from '../../src/remote/quote.js';

const INVOCATION = { engine: ['docker-compose'], project: 'myapp-dev-1', files: ['/c/docker-compose.yml', '/b/image.yml'] };

describe("Compose's build of the workspace service and the up that follows it: literal", () => {
  it('the override that names the image the build is tagged as', () => {
    expect(composeImageOverride('app', 'kamal-dev/myapp-dev:0123abcd')).toBe('services:\n  app:\n    image: kamal-dev/myapp-dev:0123abcd\n');
  });

  it('build SERVICE with the files and that override; up without --build', () => {
    expect(quoteArgv(composeBuild(INVOCATION, ['app']))).toBe('docker-compose -p myapp-dev-1 -f /c/docker-compose.yml -f /b/image.yml build app');
    expect(quoteArgv(composeUpNoBuild(INVOCATION, ['db', 'app']))).toBe('docker-compose -p myapp-dev-1 -f /c/docker-compose.yml -f /b/image.yml up -d --remove-orphans db app');
    expect(quoteArgv(composeUpNoBuild({ ...INVOCATION, engine: ['docker', 'compose'] }, undefined))).toBe('docker compose -p myapp-dev-1 -f /c/docker-compose.yml -f /b/image.yml up -d --remove-orphans');
  });
});

describe('mounts in Compose long syntax', () => {
  it('strings with every key spelling, objects, read-only; none without a target', () => {
    expect(composeVolumeOf('type=volume,source=cache-${x},target=/cache')).toEqual({ type: 'volume', source: 'cache-${x}', target: '/cache' });
    expect(composeVolumeOf('src=/var/run/docker.sock,dst=/var/run/docker-host.sock,type=bind,readonly')).toEqual({ type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker-host.sock', read_only: true });
    expect(composeVolumeOf({ type: 'volume', source: 'dind', target: '/var/lib/docker' })).toEqual({ type: 'volume', source: 'dind', target: '/var/lib/docker' });
    expect(composeVolumeOf('type=tmpfs,destination=/tmp/x,ro=false')).toEqual({ type: 'tmpfs', target: '/tmp/x' });
    expect(composeVolumeOf('type=bind,source=/x')).toBeUndefined();
    expect(namedVolumes([{ type: 'volume', source: 'a', target: '/a' }, { type: 'bind', source: '/b', target: '/b' }, { type: 'volume', source: 'a', target: '/c' }])).toEqual(['a']);
  });
});

const OPTIONS: OverrideOptions = {
  service: 'app',
  containerName: 'myapp-dev-1',
  labels: [['kamal-dev.workspace', 'myapp-dev-1']],
  otherServices: ['db'],
  otherLabels: [['kamal-dev.workspace', 'myapp-dev-1']],
  volumes: ['/root/.kamal-dev/workspaces/myapp-dev-1:/workspace'],
  envFile: '/root/.kamal-dev/env/myapp-dev-1.env',
  env: [['FLAVOUR_FILE', '/opt/flavour']],
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

describe("the override with the features' image: literal", () => {
  it("the service runs the features image; the features' mounts follow the workspace folder, named volumes declared under their own name", () => {
    const yaml = composeOverride({
      ...OPTIONS,
      image: 'kamal-dev/myapp-dev:5f0c',
      mounts: [{ type: 'volume', source: 'dind-$id', target: '/var/lib/docker' }],
      privileged: true,
    });
    expect(yaml).toBe(
      [
        'services:',
        '  app:',
        '    image: kamal-dev/myapp-dev:5f0c',
        '    container_name: myapp-dev-1',
        '    labels:',
        '      kamal-dev.workspace: myapp-dev-1',
        '    volumes:',
        '      - /root/.kamal-dev/workspaces/myapp-dev-1:/workspace',
        '      - type: volume',
        '        source: dind-$$id',
        '        target: /var/lib/docker',
        '    env_file:',
        '      - /root/.kamal-dev/env/myapp-dev-1.env',
        '    working_dir: /workspace',
        '    environment:',
        '      FLAVOUR_FILE: /opt/flavour',
        '    privileged: true',
        '  db:',
        '    labels:',
        '      kamal-dev.workspace: myapp-dev-1',
        'volumes:',
        '  dind-$$id:',
        '    name: dind-$$id',
        '',
      ].join('\n'),
    );
  });

  it("features' entrypoints with the service's own start: the keep-alive script runs them, then execs the entrypoint; the files' command is kept", () => {
    const yaml = composeOverride({ ...OPTIONS, entrypoints: ['/usr/local/share/start.sh'], userStart: { entrypoint: ['/init'], command: undefined } });
    expect(yaml).toContain(
      [
        '    entrypoint:',
        '      - /bin/sh',
        '      - -c',
        '      - echo Container started; trap "exit 0" 15; /usr/local/share/start.sh; exec "$$@"; while sleep 1 & wait $$!; do :; done',
        '      - "-"',
        '      - /init',
        '  db:',
      ].join('\n'),
    );
    expect(yaml).not.toContain('command:');
  });

  it("without a command in the files, the image's command is given; overrideCommand: the keep-alive with the entrypoints and no command", () => {
    expect(composeOverride({ ...OPTIONS, entrypoints: ['/e.sh'], userStart: { entrypoint: [], command: ['sh'] } })).toContain('      - "-"\n    command:\n      - sh\n');
    expect(composeOverride({ ...OPTIONS, keepAlive: true, entrypoints: ['/e.sh'] })).toContain(
      '      - echo Container started; trap "exit 0" 15; /e.sh; exec "$$@"; while sleep 1 & wait $$!; do :; done\n      - "-"\n    command: []\n',
    );
  });
});
