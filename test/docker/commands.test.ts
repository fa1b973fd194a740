import { describe, expect, it } from 'vitest';
import { dockerExec, dockerInspect, dockerKillMarked, dockerLogs, dockerPs, dockerPull, dockerRemove, dockerStart, dockerStop, parsePsNames } from '../../src/docker/commands.js';
import { envFileContent, envFileKey, remoteEnvFileContent } from '../../src/docker/env-file.js';
import { parseInspect } from '../../src/docker/inspect.js';
import { Secret } from '../../src/lib/secret.js';
import { quoteArgv } from '../../src/remote/quote.js';

describe('docker argv builders', () => {
  it('exec: user, folder, remoteEnv, then the container and the command', () => {
    expect(quoteArgv(dockerExec({ container: 'app-1', user: 'vscode', workdir: '/workspace', env: [['A', '1'], ['B', 'two words']], argv: ['/bin/sh', '-c', 'bundle install'] }))).toBe(
      "docker exec -u vscode -w /workspace -e A=1 -e 'B=two words' app-1 /bin/sh -c 'bundle install'",
    );
    expect(quoteArgv(dockerExec({ container: 'app-1', argv: ['yarn', 'install'] }))).toBe('docker exec app-1 yarn install');
    expect(quoteArgv(dockerExec({ container: 'app-1', interactive: true, tty: true, argv: ['bash'] }))).toBe('docker exec -i -t app-1 bash');
    expect(quoteArgv(dockerExec({ container: 'app-1', interactive: true, argv: ['cat'] }))).toBe('docker exec -i app-1 cat');
    expect(quoteArgv(dockerExec({ container: 'app-1', user: 'dev', workdir: '/w', envFile: '/root/.kamal-dev/env/app-1.remote.env', interactive: true, tty: true, argv: ['sh', '-c', `echo "$(id)" 'x'`] }))).toBe(
      `docker exec -i -t -u dev -w /w --env-file /root/.kamal-dev/env/app-1.remote.env app-1 sh -c 'echo "$(id)" '\\''x'\\'''`,
    );
  });

  it('kill of an interrupted exec: every process carrying its marker, as its user', () => {
    expect(quoteArgv(dockerKillMarked('app-1', 'dev', 'ab12-3'))).toBe(
      `docker exec -u dev app-1 /bin/sh -c 'for f in /proc/[0-9]*/environ; do if tr "\\0" "\\n" < "$f" 2>/dev/null | grep -qx "$0"; then p=\${f#/proc/}; kill -TERM "\${p%/environ}" 2>/dev/null; fi; done; exit 0' KAMAL_DEV_EXEC=ab12-3`,
    );
    expect(dockerKillMarked('app-1', undefined, 'x').slice(0, 3)).toEqual(['docker', 'exec', 'app-1']);
  });

  it('logs: follow, tail, since, then the container', () => {
    expect(quoteArgv(dockerLogs({ container: 'app-1' }))).toBe('docker logs app-1');
    expect(quoteArgv(dockerLogs({ container: 'app-1', follow: true, tail: 20, since: '10m' }))).toBe('docker logs -f -n 20 --since 10m app-1');
    expect(quoteArgv(dockerLogs({ container: 'app-1', since: '2026-12-01T09:00:00Z' }))).toBe('docker logs --since 2026-12-01T09:00:00Z app-1');
  });

  it('stop with a timeout, start, rm -f, inspect, ps by label, pull', () => {
    expect(quoteArgv(dockerStop('app-1'))).toBe('docker stop -t 10 app-1');
    expect(quoteArgv(dockerStop('app-1', 3))).toBe('docker stop -t 3 app-1');
    expect(quoteArgv(dockerStart('app-1'))).toBe('docker start app-1');
    expect(quoteArgv(dockerRemove('app-1'))).toBe('docker rm -f app-1');
    expect(quoteArgv(dockerInspect('app-1', 'app-2'))).toBe('docker inspect --type container app-1 app-2');
    expect(quoteArgv(dockerPs({ 'kamal-dev.service': 'myapp-dev', 'kamal-dev.workspace': 'myapp-dev-1' }))).toBe(
      "docker ps --all --no-trunc --filter label=kamal-dev.service=myapp-dev --filter label=kamal-dev.workspace=myapp-dev-1 --format '{{.Names}}'",
    );
    expect(quoteArgv(dockerPull('ghcr.io/acme/dev:1.2@sha256:abc'))).toBe('docker pull ghcr.io/acme/dev:1.2@sha256:abc');
    expect(parsePsNames('myapp-dev-1\nmyapp-dev-2\n\n')).toEqual(['myapp-dev-1', 'myapp-dev-2']);
  });
});

describe('env file', () => {
  it('one KEY_B64=<base64> line per secret, in order; the content prints as [REDACTED]', () => {
    const content = envFileContent(new Map([['GITHUB_TOKEN', new Secret('ghp_abc')], ['MULTI', new Secret('a "b"\nc=d ü')]]));
    expect(content.reveal()).toBe(`GITHUB_TOKEN_B64=${Buffer.from('ghp_abc').toString('base64')}\nMULTI_B64=${Buffer.from('a "b"\nc=d ü').toString('base64')}\n`);
    expect(Buffer.from(content.reveal().split('\n')[1]!.split('=').slice(1).join('='), 'base64').toString('utf8')).toBe('a "b"\nc=d ü');
    expect(String(content)).toBe('[REDACTED]');
    expect(JSON.stringify({ content })).toBe('{"content":"[REDACTED]"}');
    expect(envFileContent(new Map()).reveal()).toBe('\n');
    expect(envFileKey('X')).toBe('X_B64');
    expect(remoteEnvFileContent([['GH', 'ghp_x y"z$(id)'], ['E', '']]).reveal()).toBe('GH=ghp_x y"z$(id)\nE=\n');
    expect(() => remoteEnvFileContent([['BAD', 'a\nb']])).toThrow('devcontainer.json remoteEnv.BAD: a value with a line break cannot be passed to docker exec');
  });
});

/** The shape of `docker inspect --type container` (Docker Engine 26-28), trimmed to the keys that matter plus some noise. */
const INSPECT = JSON.stringify([
  {
    Id: 'f2d5c0d4b1a3e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1',
    Created: '2026-11-20T10:00:00.123456789Z',
    Path: '/bin/sh',
    Args: ['-c', 'echo Container started', '-'],
    State: { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 4242, ExitCode: 0, Error: '', StartedAt: '2026-11-20T10:00:01.5Z', FinishedAt: '0001-01-01T00:00:00Z' },
    Image: 'sha256:9b1c0d',
    Name: '/myapp-dev-1',
    RestartCount: 0,
    HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } },
    Config: { Hostname: 'f2d5c0d4b1a3', Image: 'ruby:3.2', Labels: { 'kamal-dev.service': 'myapp-dev', 'kamal-dev.workspace': 'myapp-dev-1', 'kamal-dev.spec-hash': 'abc' } },
    NetworkSettings: {
      Ports: {
        '3000/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }, { HostIp: '::', HostPort: '32768' }],
        '5432/tcp': null,
      },
    },
  },
  {
    Id: '0a1b',
    Name: '/myapp-dev-2',
    State: { Status: 'created', Running: false, ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z' },
    Image: 'sha256:1',
    Config: { Image: 'alpine:3', Labels: null },
    NetworkSettings: { Ports: {} },
  },
]);

describe('docker inspect parser', () => {
  it('gives state, image, start time, published ports and labels', () => {
    const [one, two] = parseInspect(INSPECT);
    expect(one).toEqual({
      id: 'f2d5c0d4b1a3e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1',
      name: 'myapp-dev-1',
      status: 'running',
      running: true,
      exitCode: 0,
      image: 'ruby:3.2',
      imageId: 'sha256:9b1c0d',
      startedAt: new Date('2026-11-20T10:00:01.5Z'),
      ports: [
        { containerPort: 3000, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 32768 },
        { containerPort: 3000, protocol: 'tcp', hostIp: '::', hostPort: 32768 },
      ],
      labels: { 'kamal-dev.service': 'myapp-dev', 'kamal-dev.workspace': 'myapp-dev-1', 'kamal-dev.spec-hash': 'abc' },
    });
    expect(two).toMatchObject({ name: 'myapp-dev-2', status: 'created', running: false, startedAt: undefined, ports: [], labels: {} });
  });

  it('a container that does not exist: docker prints [] (or nothing)', () => {
    expect(parseInspect('[]\n')).toEqual([]);
    expect(parseInspect('')).toEqual([]);
  });

  it('rejects output that is not docker inspect JSON', () => {
    expect(() => parseInspect('Error: No such object: x')).toThrow(/not JSON/);
    expect(() => parseInspect('[{"Id":1}]')).toThrow(/unexpected shape/);
  });
});
