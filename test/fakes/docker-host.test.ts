import { describe, expect, it } from 'vitest';
import { convergeContainer } from '../../src/deploy/container.js';
import { parseInspect } from '../../src/docker/inspect.js';
import { servicePlan } from '../deploy/make-plan.js';
import { DockerHost, runError } from './docker-host.js';

const T = new Date('2025-03-01T09:00:00.000Z');
const SERVICE = servicePlan({ devcontainer: JSON.stringify({ image: 'ubuntu:24.04', forwardPorts: [3000], postCreateCommand: 'true' }), spread: false });

/** A host with the workspace's env file and folder in place, and its plan. */
function prepared(name = 'myapp-dev-1', index = 1) {
  const host = new DockerHost('10.0.0.5', { clock: () => T });
  const plan = host.expectDeploy(SERVICE, { name, index }, 'create');
  return { host, plan };
}

describe('DockerHost', () => {
  it('a deploy script is exactly what convergeContainer runs; docker inspect then prints JSON that parseInspect reads', async () => {
    const { host, plan } = prepared();
    // The deploy script starts with the Docker check, the metadata rule and the home folder, as apply.ts runs them first.
    const blockMetadata = 's=; [ "$(id -u)" = 0 ] || s="sudo -n"; $s iptables -C DOCKER-USER -d 169.254.169.254/32 -j REJECT 2>/dev/null || $s iptables -I DOCKER-USER -d 169.254.169.254/32 -j REJECT';
    for (const argv of [['sh', '-c', 'command -v docker'], ['docker', 'info', '--format', '{{.ServerVersion}}'], ['sh', '-c', blockMetadata], ['sh', '-c', 'printf %s "$HOME"']]) {
      expect((await host.executor.run(argv)).exitCode).toBe(0);
    }
    const steps: string[] = [];
    expect(await convergeContainer(host.executor, plan, (step) => steps.push(step))).toEqual({ action: 'created', ports: { '3000': 32768 } });
    expect(steps).toEqual(['env.upload', 'image.pull', 'container.start', 'lifecycle.create']);
    host.executor.assertDone();

    const out = host.respond(['docker', 'inspect', '--type', 'container', 'myapp-dev-1']);
    expect(out.exitCode).toBe(0);
    const [info] = parseInspect(out.stdout!);
    expect(info).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      name: 'myapp-dev-1',
      status: 'running',
      running: true,
      exitCode: 0,
      image: 'ubuntu:24.04',
      imageId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      startedAt: T,
      ports: [
        { containerPort: 3000, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 32768 },
        { containerPort: 3000, protocol: 'tcp', hostIp: '::', hostPort: 32768 },
      ],
      labels: {
        'org.opencontainers.image.ref.name': 'ubuntu',
        'org.opencontainers.image.version': '24.04',
        'kamal-dev.service': 'myapp-dev',
        'kamal-dev.workspace': 'myapp-dev-1',
        'kamal-dev.spec-hash': plan.specHash,
      },
    });
    // docker's own time format: nanoseconds.
    expect(JSON.parse(out.stdout!)[0].State.StartedAt).toBe('2025-03-01T09:00:00.000000000Z');
  });

  it('inspect of a missing container prints [] with exit 1; an exited one has no ports and no start time for status', () => {
    const host = new DockerHost('10.0.0.5', { clock: () => T });
    expect(host.respond(['docker', 'inspect', '--type', 'container', 'nope'])).toEqual({ exitCode: 1, stdout: '[]\n', stderr: 'Error: No such container: nope\n' });
    host.respond(['mkdir', '-p', '/srv']);
    expect(host.respond(['docker', 'run', '--detach', '--name', 'ws', '-p', '8080:80', 'nginx']).exitCode).toBe(0);
    host.exitContainer('ws', 137);
    const [info] = parseInspect(host.respond(['docker', 'inspect', '--type', 'container', 'ws']).stdout!);
    expect(info).toMatchObject({ status: 'exited', running: false, exitCode: 137, ports: [] });
  });

  it('docker run refuses what docker refuses: a missing env file or bind source, a taken name, a taken host port', () => {
    const host = new DockerHost('10.0.0.5');
    const run = (...args: string[]) => host.respond(['docker', 'run', '--detach', ...args, 'ubuntu:24.04']);
    expect(run('--name', 'a', '--env-file', '/root/a.env')).toEqual(runError('open /root/a.env: no such file or directory'));
    expect(run('--name', 'a', '--mount', 'type=bind,source=/root/ws,target=/w')).toEqual(
      runError('Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /root/ws'),
    );
    expect(host.containers.size).toBe(0);
    expect(run('--name', 'a', '-p', '3000:3000').exitCode).toBe(0);
    expect(run('--name', 'a').stderr).toMatch(/^docker: Error response from daemon: Conflict\. The container name "\/a" is already in use by container "[0-9a-f]{64}"/);
    expect(run('--name', 'b', '-p', '3000:3000')).toEqual(
      runError('Error response from daemon: driver failed programming external connectivity on endpoint b: Bind for 0.0.0.0:3000 failed: port is already allocated'),
    );
    expect(host.containers.get('b')!.status).toBe('created');
    expect(runError('x')).toEqual({ exitCode: 125, stderr: "docker: x\n\nRun 'docker run --help' for more information\n" });
  });

  it('docker exec needs a running container; stop, start and rm follow docker', () => {
    const host = new DockerHost('10.0.0.5', { clock: () => T });
    host.respond(['docker', 'run', '--detach', '--name', 'ws', 'ubuntu:24.04']);
    const id = host.containers.get('ws')!.id;
    expect(host.respond(['docker', 'exec', '-u', 'dev', 'ws', 'true']).exitCode).toBe(0);
    expect(host.respond(['docker', 'stop', '-t', '10', 'ws'])).toEqual({ exitCode: 0, stdout: 'ws\n' });
    expect(host.respond(['docker', 'exec', 'ws', 'true'])).toEqual({ exitCode: 1, stderr: `Error response from daemon: container ${id} is not running\n` });
    expect(host.respond(['docker', 'start', 'ws']).exitCode).toBe(0);
    expect(host.execs.map((e) => [e.user, e.argv])).toEqual([['dev', ['true']]]);
    expect(host.respond(['docker', 'ps', '--all', '--filter', 'label=kamal-dev.service=x', '--format', '{{.Names}}'])).toEqual({ exitCode: 0, stdout: '' });
    expect(host.respond(['docker', 'rm', '-f', 'ws'])).toEqual({ exitCode: 0, stdout: 'ws\n' });
    expect(host.respond(['docker', 'rm', '-f', 'ws'])).toEqual({ exitCode: 1, stderr: 'Error response from daemon: No such container: ws\n' });
  });

  it('without Docker: command -v fails and docker is not found until the install script has run', () => {
    const host = new DockerHost('10.0.0.5', { dockerMissing: true, dockerInstallUrl: 'https://get.docker.example' });
    expect(host.respond(['sh', '-c', 'command -v docker']).exitCode).toBe(1);
    expect(host.respond(['docker', 'info', '--format', '{{.ServerVersion}}'])).toEqual({ exitCode: 127, stderr: 'sh: 1: docker: not found\n' });
    expect(host.respond(['sh', '-c', 'curl -fsSL https://get.docker.example | sh']).exitCode).toBe(0);
    expect(host.respond(['docker', 'info', '--format', '{{.ServerVersion}}'])).toEqual({ exitCode: 0, stdout: '28.0.1\n' });
  });

  it('an upload not scripted fails the run and assertDone(); a scripted one never made is reported', async () => {
    const { host } = prepared();
    await expect(host.executor.upload('/etc/passwd', 'x', 0o644)).rejects.toThrow('unexpected upload of /etc/passwd (mode 644)');
    expect(() => host.executor.assertDone()).toThrow(/never used: upload of \/root\/\.kamal-dev\/env\/myapp-dev-1\.env \(mode 600\)/);
  });
});
