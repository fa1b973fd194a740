import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestImages, VmBackend } from '../localcloud/backend.js';
import { startEmulator } from '../localcloud/emulator/emulator.js';
import { startHetznerEmulator } from '../localcloud/hetzner/emulator.js';
import { createNetnsBackend } from '../localcloud/netns/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';
import { requirements, ssh, type Client, type SshResult } from '../localcloud-netns/helpers.js';

export { requirements };

/** The secret the tests deploy; it must never show up anywhere but inside the containers. */
export const SECRET = `ghp_e2e-${Math.random().toString(36).slice(2)}-secret`;

export type CloudKind = 'upcloud' | 'hetzner' | 'ssh';

export interface CloudServer {
  uuid: string;
  state: string;
  ip: string | undefined;
  labels: Record<string, string>;
}

/**
 * A cloud of real machines (network namespaces running sshd and dockerd) for one provider: the UpCloud or the
 * Hetzner emulator in front of them, or (ssh) three machines of "your own" with no API at all. Only the
 * configuration differs between them: what config/dev.yml's `provider:` says, and the variables kamal-dev reads.
 */
export interface LocalCloud {
  kind: CloudKind;
  backend: VmBackend;
  images: TestImages;
  /** The emulator's base URL, for `/_localcloud/` (undefined for ssh). */
  controlUrl: string | undefined;
  /** The lines under `provider:` in config/dev.yml. */
  providerYaml: string;
  /** Credentials and endpoint variables. */
  providerEnv: Record<string, string>;
  /** false: kamal-dev creates and destroys nothing (own hosts); the machines are there before and after. */
  createsVms: boolean;
  /** What `--verbose` shows for a create request (undefined for ssh). */
  createRequestLine: RegExp | undefined;
  /** A key pair the machines already trust (own hosts): the project's HOME gets it. */
  userKey: { privateKey: string; publicKey: string } | undefined;
  /** Servers that exist: created through the API, or the own hosts. */
  stats(): Promise<{ requests: Record<string, number>; live_servers: number }>;
  servers(): Promise<CloudServer[]>;
  nextServers(options: { count: number; docker: boolean; ssh: boolean }): Promise<void>;
  close(): Promise<void>;
}

interface UpcloudServerJson {
  uuid: string;
  state: string;
  labels: { label: Array<{ key: string; value: string }> };
  ip_addresses: { ip_address: Array<{ access: string; family: string; address: string }> };
}

interface HetznerServerJson {
  id: number;
  status: string;
  labels: Record<string, string>;
  public_net: { ipv4: { ip: string } | null };
}

const control = (url: string) => ({
  get: async <T>(p: string) => (await (await fetch(`${url}/_localcloud/${p}`)).json()) as T,
  post: async (p: string, body: unknown) => void (await fetch(`${url}/_localcloud/${p}`, { method: 'POST', body: JSON.stringify(body) })),
});

/** The UpCloud emulator with real VMs behind it. */
export async function startLocalCloud(bootDelayMs = 300): Promise<LocalCloud> {
  return startCloud('upcloud', bootDelayMs);
}

export async function startCloud(kind: CloudKind, bootDelayMs = 300): Promise<LocalCloud> {
  const backend = await createNetnsBackend({});
  const base = { kind, backend, images: backend.images!, userKey: undefined };
  if (kind === 'upcloud') {
    const em = await startEmulator({ backend, bootDelayMs });
    const c = control(em.url);
    return {
      ...base,
      controlUrl: em.url,
      providerYaml: '  type: upcloud\n  zone: us-nyc1\n  plan: 1xCPU-2GB\n',
      providerEnv: { UPCLOUD_API_URL: em.apiUrl, UPCLOUD_USERNAME: em.username, UPCLOUD_PASSWORD: em.password },
      createsVms: true,
      createRequestLine: /API POST \/server -> 202 \(\d+ ms\)/,
      stats: () => c.get('stats'),
      servers: async () =>
        (await c.get<{ servers: UpcloudServerJson[] }>('servers')).servers.map((s) => ({
          uuid: s.uuid,
          state: s.state,
          ip: s.ip_addresses.ip_address.find((a) => a.access === 'public' && a.family === 'IPv4')?.address,
          labels: Object.fromEntries(s.labels.label.map((l) => [l.key, l.value])),
        })),
      nextServers: (options) => c.post('next-servers', options),
      close: () => em.close(),
    };
  }
  if (kind === 'hetzner') {
    const em = await startHetznerEmulator({ backend, bootDelayMs });
    const c = control(em.url);
    return {
      ...base,
      controlUrl: em.url,
      providerYaml: '  type: hetzner\n  location: fsn1\n  server_type: cx22\n  image: ubuntu-24.04\n',
      providerEnv: { HCLOUD_ENDPOINT: em.apiUrl, HCLOUD_TOKEN: em.token },
      createsVms: true,
      createRequestLine: /API POST \/servers -> 201 \(\d+ ms\)/,
      stats: () => c.get('stats'),
      servers: async () =>
        (await c.get<{ servers: HetznerServerJson[] }>('servers')).servers.map((s) => ({ uuid: String(s.id), state: s.status, ip: s.public_net.ipv4?.ip, labels: s.labels })),
      nextServers: (options) => c.post('next-servers', options),
      close: () => em.close(),
    };
  }
  return startOwnHosts(backend, base);
}

/** Three machines that are "yours": they trust one key pair, have no Docker yet, and stay after kamal-dev is done. */
async function startOwnHosts(backend: VmBackend, base: Pick<LocalCloud, 'kind' | 'backend' | 'images'>): Promise<LocalCloud> {
  const keyDir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-own-'));
  const privateKey = path.join(keyDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'own-hosts', '-f', privateKey]);
  const publicKey = readFileSync(`${privateKey}.pub`, 'utf8').trim();
  const hosts: CloudServer[] = [];
  for (const n of [1, 2, 3]) {
    const uuid = `own-host-${n}`;
    const { ip } = await backend.allocate({ uuid, hostname: uuid, sshKeys: [publicKey], labels: {}, options: { docker: false, ssh: true } });
    await backend.start(uuid);
    hosts.push({ uuid: ip, state: 'started', ip, labels: {} });
  }
  return {
    ...base,
    controlUrl: undefined,
    providerYaml: `  type: ssh\n  hosts:\n${hosts.map((h) => `    - ${h.ip}\n`).join('')}`,
    providerEnv: {},
    createsVms: false,
    createRequestLine: undefined,
    userKey: { privateKey, publicKey: `${privateKey}.pub` },
    stats: async () => ({ requests: {}, live_servers: hosts.length }),
    servers: async () => hosts,
    nextServers: async () => {
      throw new Error('own hosts are not created: there is no next server to configure');
    },
    close: () => backend.close(),
  };
}

export interface Project {
  dir: string;
  home: string;
  client: Client;
  env: NodeJS.ProcessEnv;
  run(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  ssh(ip: string, command: string): Promise<SshResult>;
  state(): string;
}

/** A copy of fixtures/e2e-workspace wired to the local cloud: its provider, credentials, install URL, image and secret. */
export function e2eProject(cloud: LocalCloud, fixture = 'e2e-workspace'): Project {
  const { dir, home } = tempProject(fixture);
  const keyFile = path.join(home, '.ssh', 'id_ed25519');
  if (cloud.userKey) {
    cpSync(cloud.userKey.privateKey, keyFile);
    cpSync(cloud.userKey.publicKey, `${keyFile}.pub`);
  }
  const devYml = path.join(dir, 'config', 'dev.yml');
  writeFileSync(devYml, readFileSync(devYml, 'utf8').replace(/provider:\n(?: {2}.*\n)+/, `provider:\n${cloud.providerYaml}`));
  const client: Client = {
    dir: home,
    keyFile,
    publicKey: readFileSync(`${keyFile}.pub`, 'utf8').trim(),
    knownHosts: path.join(home, '.ssh', 'known_hosts'),
    cleanup: () => undefined,
  };
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    ...cloud.providerEnv,
    KAMAL_DEV_DOCKER_INSTALL_URL: cloud.backend.dockerInstallUrl,
    KAMAL_DEV_POLL_INTERVAL_MS: '300',
    KAMAL_DEV_TEST_IMAGE: cloud.images.v1,
    KAMAL_DEV_TEST_TOKEN: SECRET,
  };
  return {
    dir,
    home,
    client,
    env,
    run: (args, extraEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs: 240_000 }),
    ssh: (ip, command) => ssh(client, ip, command),
    state: () => readFileSync(path.join(dir, '.kamal/dev_state.yml'), 'utf8'),
  };
}
