import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { instanceNames, type InstanceNames } from '../localcloud/netns/names.js';
import { leftovers, makeClient, nothingLeft, requirements, ssh, type Client } from './helpers.js';

interface Ready {
  api_url: string;
  username: string;
  password: string;
  docker_install_url: string;
  images: { v1: string; v2: string; debian: string };
}

const WEB = `sh -c 'trap "exit 0" TERM; httpd -p 80 -h /var/www; while sleep 1 & wait $!; do :; done'`;

/** `npm run localcloud -- --backend netns`, as a developer or CI would start it. */
function startLocalCloud(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/localcloud/main.ts', '--backend', 'netns', '--boot-delay-ms', '100'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => process.env.LOCALCLOUD_LOG && process.stderr.write(chunk));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`localcloud exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, ready: JSON.parse(line) as Ready }));
  });
}

describeIf(requirements(), 'local cloud through the API: the emulator with the netns backend', () => {
  let child: ChildProcess;
  let ready: Ready;
  let instance: InstanceNames;
  let client: Client;

  async function api(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await request(`${ready.api_url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${ready.username}:${ready.password}`).toString('base64')}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }

  async function control(path: string, body: unknown): Promise<void> {
    const response = await request(`${ready.api_url.replace(/\/1\.3$/, '')}/_localcloud/${path}`, { method: 'POST', body: JSON.stringify(body) });
    await response.body.text();
    expect(response.statusCode).toBe(200);
  }

  async function create(hostname: string): Promise<{ uuid: string; ip: string }> {
    const created = await api('POST', '/server', {
      server: {
        zone: 'de-fra1',
        title: hostname,
        hostname,
        plan: '1xCPU-2GB',
        metadata: 'yes',
        storage_devices: { storage_device: [{ action: 'clone', storage: '01000000-0000-4000-8000-000030240200', title: `${hostname}-os` }] },
        login_user: { username: 'root', create_password: 'no', ssh_keys: { ssh_key: [client.publicKey] } },
      },
    });
    expect(created.status).toBe(202);
    const server = created.json.server;
    const ip = server.ip_addresses.ip_address.find((a: any) => a.access === 'public' && a.family === 'IPv4').address as string;
    return { uuid: server.uuid as string, ip };
  }

  async function waitFor(uuid: string, state: string): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { json } = await api('GET', `/server/${uuid}`);
      if (json?.server?.state === state) return;
      if (Date.now() > deadline) throw new Error(`${uuid} never reached ${state} (last ${json?.server?.state})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function httpGet(url: string): Promise<string> {
    const response = await request(url, { headersTimeout: 3000, bodyTimeout: 3000 });
    return `${response.statusCode} ${await response.body.text()}`;
  }

  beforeAll(async () => {
    client = makeClient();
    ({ child, ready } = await startLocalCloud());
    instance = instanceNames(Number(ready.docker_install_url.split('.')[2]));
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    client?.cleanup();
  });

  it('create, SSH in, run a published container, stop, start, delete: all through the API', async () => {
    await control('next-servers', { count: 1, docker: true, ssh: true });
    const { uuid, ip } = await create('api-vm-1');
    expect(ip).toMatch(new RegExp(`^198\\.18\\.${instance.k}\\.\\d+$`));
    await waitFor(uuid, 'started');

    const run = await ssh(client, ip, `docker run -d --restart unless-stopped -p 3000:80 ${ready.images.v1} ${WEB}`);
    expect(run.code, run.stderr).toBe(0);
    expect(await httpGet(`http://${ip}:3000/`)).toBe('200 kamal-dev test workspace 1\n');
    const debian = await ssh(client, ip, `docker run --rm ${ready.images.debian} sh -c 'git --version && . /etc/os-release && echo $VERSION_CODENAME && ls /etc/ssl/certs/ca-certificates.crt'`);
    expect(debian.code, debian.stderr).toBe(0);
    expect(debian.stdout).toMatch(/^git version 2\.\d+\.\d+\nbookworm\n\/etc\/ssl\/certs\/ca-certificates.crt\n$/);

    expect((await api('POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'soft' } })).status).toBe(200);
    await waitFor(uuid, 'stopped');
    await expect(httpGet(`http://${ip}:3000/`)).rejects.toThrow();

    expect((await api('POST', `/server/${uuid}/start`)).status).toBe(200);
    await waitFor(uuid, 'started');
    expect(await httpGet(`http://${ip}:3000/`)).toBe('200 kamal-dev test workspace 1\n');

    expect((await api('POST', `/server/${uuid}/stop`, { stop_server: { stop_type: 'hard' } })).status).toBe(200);
    await waitFor(uuid, 'stopped');
    expect((await api('DELETE', `/server/${uuid}?storages=1`)).status).toBe(204);
    const host = ip.split('.')[3];
    expect(leftovers(`${instance.prefix}-${host}`, `${instance.dir}/vm${host}`)).toEqual(nothingLeft);
  }, 180_000);

  it('a server created without Docker gets it from the served install script', async () => {
    // the deleted server's address comes back with a new host key: a client with an empty known_hosts
    client.cleanup();
    client = makeClient();
    await control('next-servers', { count: 1, docker: false, ssh: true });
    const { uuid, ip } = await create('api-vm-2');
    await waitFor(uuid, 'started');
    expect((await ssh(client, ip, 'command -v docker || echo absent')).stdout).toBe('absent\n');
    const install = await ssh(client, ip, `curl -fsSL ${ready.docker_install_url} | sh && docker info --format '{{.Name}}'`);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout.trim().split('\n').at(-1)).toBe('api-vm-2');
  }, 180_000);

  it('SIGTERM to the emulator leaves nothing of its local cloud behind', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(leftovers(instance.prefix, instance.dir)).toEqual(nothingLeft);
  }, 120_000);
});
