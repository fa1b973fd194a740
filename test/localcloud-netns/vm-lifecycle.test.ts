import { existsSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import type { VmBackend } from '../localcloud/backend.js';
import { createNetnsBackend } from '../localcloud/netns/index.js';
import type { InstanceNames } from '../localcloud/netns/names.js';
import { instanceOf, leftovers, makeClient, nothingLeft, requirements, server, ssh, type Client } from './helpers.js';

/** Answers on port 80 and ends at once on SIGTERM (as the devcontainer keep-alive does). */
const WEB = `sh -c 'trap "exit 0" TERM; httpd -p 80 -h /var/www; while sleep 1 & wait $!; do :; done'`;

async function httpGet(url: string): Promise<string> {
  const response = await request(url, { headersTimeout: 3000, bodyTimeout: 3000 });
  return `${response.statusCode} ${await response.body.text()}`;
}

describeIf(requirements(), 'netns backend: one VM from create to delete', () => {
  let backend: VmBackend;
  let instance: InstanceNames;
  let client: Client;

  beforeAll(async () => {
    client = makeClient();
    backend = await createNetnsBackend({ instance: 'vm-lifecycle.test', log: (line) => process.env.LOCALCLOUD_LOG && process.stderr.write(`${new Date().toISOString()} ${line}\n`) });
    instance = instanceOf(backend);
  });

  afterAll(async () => {
    await backend?.close();
    client?.cleanup();
    if (!instance) return;
    expect(leftovers(instance.prefix, instance.dir)).toEqual(nothingLeft);
    expect(existsSync(instance.claimFile)).toBe(false);
  });

  it('boots a VM reachable as root with the key of the create request, running its own Docker', async () => {
    const { ip } = await backend.allocate(server('a1', client.publicKey));
    expect(ip).toBe(`198.18.${instance.k}.2`);
    await backend.start('a1');
    const info = await ssh(client, ip, 'id -u; hostname; docker info --format "{{.ServerVersion}}"; echo $DOCKER_HOST');
    expect(info.stderr).toBe('');
    const [uid, hostname, version, dockerHost] = info.stdout.trim().split('\n');
    expect(uid).toBe('0');
    expect(hostname).toBe('test-a1');
    expect(version).toMatch(/^\d+\.\d+/);
    expect(dockerHost).toBe(`unix://${instance.dir}/vm2/docker/docker.sock`);

    const stranger = makeClient();
    try {
      const refused = await ssh(stranger, ip, 'true');
      expect(refused.code).toBe(255);
      expect(refused.stderr).toContain('Permission denied');
    } finally {
      stranger.cleanup();
    }
  });

  it('pulls the test images from the local registry and publishes a port on the VM address', async () => {
    const ip = `198.18.${instance.k}.2`;
    const { v1, v2 } = backend.images!;
    const run = await ssh(client, ip, `docker run -d --name web --restart unless-stopped -p 8080:80 ${v1} ${WEB}`);
    expect(run.code, run.stderr).toBe(0);
    const versions = await ssh(client, ip, `docker run --rm ${v1} cat /etc/kamal-dev-test-version; docker run --rm ${v2} cat /etc/kamal-dev-test-version`);
    expect(versions.stdout).toBe('1\n2\n');
    const tools = await ssh(client, ip, `docker run --rm ${v1} sh -c 'for c in sh sleep env id cat base64; do command -v $c; done'`);
    expect(tools.stdout.trim().split('\n')).toHaveLength(6);
    expect(await httpGet(`http://${ip}:8080/`)).toBe('200 kamal-dev test workspace 1\n');
  });

  it('stop ends the machine (container, sshd, engine) and start brings it back with its data and host key', async () => {
    const ip = `198.18.${instance.k}.2`;
    await backend.stop('a1');
    const vmDir = `${instance.dir}/vm2`;
    expect(leftovers(`${instance.prefix}-2`, vmDir).processes).toEqual([]);
    await expect(httpGet(`http://${ip}:8080/`)).rejects.toThrow();
    expect((await ssh(client, ip, 'true', 15_000)).code).toBe(255);

    await backend.start('a1');
    // the client's known_hosts pins the first host key: a new one would make ssh fail
    const ps = await ssh(client, ip, 'docker ps --format "{{.Names}} {{.Image}}"; docker images --format "{{.Repository}}:{{.Tag}}" | sort');
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toBe(`web ${backend.images!.v1}\n${backend.images!.v1}\n${backend.images!.v2}\n`);
    expect(await httpGet(`http://${ip}:8080/`)).toBe('200 kamal-dev test workspace 1\n');
  });

  it('delete leaves nothing of the VM: namespace, processes, mounts, veth, folder', async () => {
    await backend.destroy('a1');
    expect(leftovers(`${instance.prefix}-2`, `${instance.dir}/vm2`)).toEqual(nothingLeft);
    expect(leftovers(`${instance.prefix}v2`, `${instance.dir}/vm2`).links).toEqual([]);
    await expect(backend.start('a1')).rejects.toThrow('no machine for server a1');
  });

  it('a VM without Docker gets it from the served install script, and keeps it across stop/start', async () => {
    // the address of the deleted VM comes back with a new host key: a new client, with an empty known_hosts
    client.cleanup();
    client = makeClient();
    const { ip } = await backend.allocate(server('b1', client.publicKey, { docker: false }));
    await backend.start('b1');
    const before = await ssh(client, ip, 'command -v docker || echo absent; command -v curl');
    expect(before.stdout).toBe(`absent\n${instance.dir}/sysbin/curl\n`);
    expect(backend.dockerInstallUrl).toBe(`http://${instance.bridgeIp}:8080/install-docker.sh`);

    const install = await ssh(client, ip, `curl -fsSL ${backend.dockerInstallUrl} | sh`);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/# Docker \d+\.\d+.* installed/);
    expect((await ssh(client, ip, 'docker info --format "{{.Containers}}"')).stdout).toBe('0\n');

    await backend.stop('b1');
    await backend.start('b1');
    expect((await ssh(client, ip, 'docker info --format "{{.Containers}}"')).stdout).toBe('0\n');
  });

  it('the install endpoint refuses callers that are not VMs of this cloud', async () => {
    const response = await request(`http://${instance.bridgeIp}:8080/install-docker`, { method: 'POST' });
    expect(response.statusCode).toBe(403);
    expect(await response.body.text()).toContain('is not a VM of this local cloud');
  });

  it('a VM with ssh off never listens on port 22', async () => {
    const { ip } = await backend.allocate(server('c1', client.publicKey, { ssh: false }));
    await backend.start('c1');
    const result = await ssh(client, ip, 'true', 15_000);
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/Connection refused/);
  });
});
