import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { step } from '../helpers/step.js';
import { e2eProject, requirements, SECRET, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

/**
 * Two services of the busybox image: the workspace (`app`) and a web server it reaches by name (`web`), built
 * by Compose on the VM from an uploaded context (`.devcontainer/web`).
 */
function composeFile(image: string): string {
  return [
    'services:',
    '  app:',
    `    image: ${image}`,
    '    command: ["sleep", "1000000"]',
    '    volumes: ["data:/data"]',
    '  web:',
    '    build: ./web',
    'volumes:',
    '  data: {}',
    '',
  ].join('\n');
}

function webDockerfile(image: string): string {
  return [
    `FROM ${image}`,
    'COPY index.html /www/index.html',
    'CMD ["sh", "-c", "echo web-started && exec httpd -f -p 8080 -h /www"]',
    '',
  ].join('\n');
}

function devcontainer(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ dockerComposeFile: 'docker-compose.yml', service: 'app', workspaceFolder: '/workspace', postCreateCommand: 'echo created > /data/created', ...extra }, null, 2);
}

const LABEL = (project: string) => `label=com.docker.compose.project=${project}`;

describeIf(requirements(), 'end to end on the local cloud: Docker Compose workspaces', () => {
  let cloud: LocalCloud;
  let project: Project;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    project = e2eProject(cloud);
    writeFileSync(path.join(project.dir, '.devcontainer/docker-compose.yml'), composeFile(cloud.images.v1));
    mkdirSync(path.join(project.dir, '.devcontainer/web'));
    writeFileSync(path.join(project.dir, '.devcontainer/web/Dockerfile'), webDockerfile(cloud.images.v1));
    writeFileSync(path.join(project.dir, '.devcontainer/web/index.html'), 'hello-from-web\n');
    writeFileSync(path.join(project.dir, '.devcontainer/devcontainer.json'), devcontainer());
  }, 120_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  const setVms = (yaml: string) => {
    const file = path.join(project.dir, 'config/dev.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/vms:\n(?: {2}.*\n)+/, `vms:\n${yaml}`));
  };
  const ipsOf = async (): Promise<Record<string, string>> => {
    const listed = JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>;
    return Object.fromEntries(Object.entries(listed).map(([name, e]) => [name, e.vm_ip]));
  };
  /** Names of what carries the project's label on a VM: containers, networks, volumes. */
  const resources = async (ip: string, projectName: string) => {
    const r = await project.ssh(
      ip,
      `docker ps -a --filter ${LABEL(projectName)} --format '{{.Names}}' | sort; echo --; docker network ls --filter ${LABEL(projectName)} --format '{{.Name}}'; echo --; docker volume ls --filter ${LABEL(projectName)} --format '{{.Name}}'`,
    );
    expect(r.code, r.stderr).toBe(0);
    const [containers = '', networks = '', volumes = ''] = r.stdout.split('--\n');
    const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
    return { containers: lines(containers), networks: lines(networks), volumes: lines(volumes) };
  };

  it('two VMs, then two workspaces on one VM: separate projects, the folder kept, the second service by name, all removed', async () => {
    const run = (args: string[]) => project.run(args);
    setVms('  count: 2\n');

    await step('deploy --count 2 --yes: one project per VM, run by Debian docker-compose', async () => {
      const r = await run(['deploy', '--count', '2', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      const ips = await ipsOf();
      expect(Object.keys(ips).sort()).toEqual(['e2e-dev-1', 'e2e-dev-2']);
      expect(ips['e2e-dev-1']).not.toBe(ips['e2e-dev-2']);
      for (const name of ['e2e-dev-1', 'e2e-dev-2']) {
        expect(await resources(ips[name]!, name)).toEqual({ containers: [name, `${name}_web_1`], networks: [`${name}_default`], volumes: [`${name}_data`] });
      }
      expect(project.state()).toContain('compose_project: "e2e-dev-1"');
    });

    await step('exec reaches the second service by name; secrets, limits and the create command apply to the service', async () => {
      const web = await run(['exec', 'e2e-dev-1', '--', 'wget', '-qO-', 'http://web:8080/']);
      expect([web.code, web.stdout], web.stderr).toEqual([0, 'hello-from-web\n']);
      const where = await run(['exec', 'e2e-dev-1', '--', 'sh', '-c', 'pwd; echo "$GITHUB_TOKEN_B64" | base64 -d; echo; cat /data/created']);
      expect([where.code, where.stdout], where.stderr).toEqual([0, `/workspace\n${SECRET}\ncreated\n`]);
      const ips = await ipsOf();
      const limits = await project.ssh(ips['e2e-dev-1']!, "docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' e2e-dev-1 e2e-dev-1_web_1");
      expect(limits.stdout).toBe('268435456 1000000000\n0 0\n');
      const env = await project.ssh(ips['e2e-dev-1']!, 'stat -c %a .kamal-dev/env/e2e-dev-1.env');
      expect(env.stdout).toBe('600\n');
    });

    await step('a file written in the workspace folder survives a redeploy that replaces the container', async () => {
      const wrote = await run(['exec', 'e2e-dev-1', '--', 'sh', '-c', 'echo kept > /workspace/note']);
      expect(wrote.code, wrote.stderr).toBe(0);
      writeFileSync(path.join(project.dir, '.devcontainer/devcontainer.json'), devcontainer({ containerEnv: { MARK: 'two' } }));
      const r = await run(['deploy', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/e2e-dev-1 +\S+ +running +replaced\n/);
      expect(r.stdout).toMatch(/e2e-dev-2 +\S+ +running +replaced\n/);
      const read = await run(['exec', 'e2e-dev-1', '--', 'sh', '-c', 'cat /workspace/note; echo "$MARK"']);
      expect([read.code, read.stdout], read.stderr).toEqual([0, 'kept\ntwo\n']);
      const again = await run(['deploy', '--yes']);
      expect(again.stdout).toMatch(/e2e-dev-1 +\S+ +running +unchanged\n/);
      expect(again.stdout).toMatch(/e2e-dev-2 +\S+ +running +unchanged\n/);
    });

    await step('logs --service web, stop, status, start', async () => {
      const logs = await run(['logs', 'e2e-dev-1', '--service', 'web']);
      expect([logs.code, logs.stdout], logs.stderr).toEqual([0, 'web-started\n']);
      const bad = await run(['logs', 'e2e-dev-1', '--service', 'db']);
      expect([bad.code, bad.stderr.trim()]).toEqual([2, 'ERROR: logs: --service "db" is not a service of .devcontainer/docker-compose.yml; services there: app, web']);
      expect((await run(['stop', 'e2e-dev-1'])).code).toBe(0);
      const ips = await ipsOf();
      expect((await project.ssh(ips['e2e-dev-1']!, `docker ps -a --filter ${LABEL('e2e-dev-1')} --format '{{.State}}'`)).stdout).toBe('exited\nexited\n');
      const stopped = JSON.parse((await run(['status', 'e2e-dev-1', '--format', 'json'])).stdout) as Record<string, { status: string; services: Record<string, string> }>;
      expect(Object.entries(stopped).map(([name, s]) => [name, s.status, s.services])).toEqual([['e2e-dev-1', 'stopped', { app: 'exited', web: 'exited' }]]);
      expect((await run(['start', 'e2e-dev-1'])).code).toBe(0);
      const web = await run(['exec', 'e2e-dev-1', '--', 'wget', '-qO-', 'http://web:8080/']);
      expect(web.stdout).toBe('hello-from-web\n');
      const running = JSON.parse((await run(['status', '--format', 'json'])).stdout) as Record<string, { status: string; services: Record<string, string> }>;
      expect(Object.entries(running).map(([name, s]) => [name, s.status, s.services])).toEqual([
        ['e2e-dev-1', 'running', { app: 'running', web: 'running' }],
        ['e2e-dev-2', 'running', { app: 'running', web: 'running' }],
      ]);
    });

    await step('remove --all --force: 0 servers', async () => {
      const r = await run(['remove', '--all', '--force']);
      expect(r.code, r.stderr).toBe(0);
      expect((await cloud.stats()).live_servers).toBe(0);
    });

    setVms('  count: 2\n  spread: false\n');
    // The new VM may get an address an old one had, with a new host key: this test's own SSH client forgets them.
    rmSync(project.client.knownHosts, { force: true });
    await step('spread: false, two workspaces on one VM: two projects, nothing shared', async () => {
      const r = await run(['deploy', '--count', '2', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      const ips = await ipsOf();
      expect(ips['e2e-dev-1']).toBe(ips['e2e-dev-2']);
      expect((await cloud.stats()).live_servers).toBe(1);
      for (const name of ['e2e-dev-1', 'e2e-dev-2']) {
        expect(await resources(ips[name]!, name)).toEqual({ containers: [name, `${name}_web_1`], networks: [`${name}_default`], volumes: [`${name}_data`] });
      }
      const wrote = await run(['exec', 'e2e-dev-1', '--', 'sh', '-c', 'echo only-one > /data/mark']);
      expect(wrote.code).toBe(0);
      const other = await run(['exec', 'e2e-dev-2', '--', 'sh', '-c', 'cat /data/mark 2>/dev/null || echo none; wget -qO- http://web:8080/']);
      expect(other.stdout).toBe('none\nhello-from-web\n');
    });

    await step('list --rebuild finds both projects after the state file is lost (one entry each, the project recorded)', async () => {
      const before = await ipsOf();
      rmSync(path.join(project.dir, '.kamal/dev_state.yml'));
      const rebuilt = await run(['list', '--rebuild', '--format', 'json']);
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      const after = JSON.parse(rebuilt.stdout) as Record<string, { vm_ip: string; status: string; compose_project: string }>;
      expect(Object.entries(after).map(([name, e]) => [name, e.vm_ip, e.status, e.compose_project])).toEqual([
        ['e2e-dev-1', before['e2e-dev-1'], 'running', 'e2e-dev-1'],
        ['e2e-dev-2', before['e2e-dev-2'], 'running', 'e2e-dev-2'],
      ]);
    });

    await step('remove one workspace of the shared VM: its project is gone, the other one stays', async () => {
      const ip = (await ipsOf())['e2e-dev-1']!;
      const r = await run(['remove', 'e2e-dev-1', '--force']);
      expect(r.code, r.stderr).toBe(0);
      expect(await resources(ip, 'e2e-dev-1')).toEqual({ containers: [], networks: [], volumes: [] });
      expect((await resources(ip, 'e2e-dev-2')).containers).toEqual(['e2e-dev-2', 'e2e-dev-2_web_1']);
      expect((await project.ssh(ip, 'ls .kamal-dev/compose')).stdout).toBe('e2e-dev-2\ne2e-dev-2.down.sh\ne2e-dev-2.override.yml\n');
    });

    await step('remove --all --force: 0 servers, an empty state', async () => {
      const r = await run(['remove', '--all', '--force']);
      expect(r.code, r.stderr).toBe(0);
      expect((await cloud.stats()).live_servers).toBe(0);
      expect(await ipsOf()).toEqual({});
    });
  }, 900_000);
});
