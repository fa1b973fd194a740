import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { VmBackend } from '../localcloud/backend.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { createNetnsBackend } from '../localcloud/netns/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempProject } from '../helpers/project.js';
import { requirements, ssh, type Client, type SshResult } from '../localcloud-netns/helpers.js';

export { requirements };

/** The secret the tests deploy; it must never show up anywhere but inside the containers. */
export const SECRET = `ghp_e2e-${Math.random().toString(36).slice(2)}-secret`;

export interface LocalCloud {
  emulator: Emulator;
  backend: VmBackend;
  images: { v1: string; v2: string };
  stats(): Promise<{ requests: Record<string, number>; live_servers: number }>;
  servers(): Promise<Array<{ uuid: string; state: string; ip: string | undefined; labels: Record<string, string> }>>;
  nextServers(options: { count: number; docker: boolean; ssh: boolean; own_host_key?: boolean }): Promise<void>;
  close(): Promise<void>;
}

interface ServerJson {
  uuid: string;
  state: string;
  labels: { label: Array<{ key: string; value: string }> };
  ip_addresses: { ip_address: Array<{ access: string; family: string; address: string }> };
}

/** The UpCloud emulator with real VMs (network namespaces running sshd and dockerd) behind it. */
export async function startLocalCloud(bootDelayMs = 300): Promise<LocalCloud> {
  const backend = await createNetnsBackend({});
  const emulator = await startEmulator({ backend, bootDelayMs });
  const control = (p: string, init?: RequestInit) => fetch(`${emulator.url}/_localcloud/${p}`, init);
  return {
    emulator,
    backend,
    images: backend.images!,
    stats: async () => (await (await control('stats')).json()) as { requests: Record<string, number>; live_servers: number },
    servers: async () => {
      const body = (await (await control('servers')).json()) as { servers: ServerJson[] };
      return body.servers.map((s) => ({
        uuid: s.uuid,
        state: s.state,
        ip: s.ip_addresses.ip_address.find((a) => a.access === 'public' && a.family === 'IPv4')?.address,
        labels: Object.fromEntries(s.labels.label.map((l) => [l.key, l.value])),
      }));
    },
    nextServers: async (options) => {
      await control('next-servers', { method: 'POST', body: JSON.stringify(options) });
    },
    close: () => emulator.close(),
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

/** A copy of fixtures/e2e-workspace wired to the local cloud: credentials, install URL, image and secret. */
export function e2eProject(cloud: LocalCloud, fixture = 'e2e-workspace'): Project {
  const { dir, home } = tempProject(fixture);
  const keyFile = path.join(home, '.ssh', 'id_ed25519');
  const client: Client = {
    dir: home,
    keyFile,
    publicKey: readFileSync(`${keyFile}.pub`, 'utf8').trim(),
    knownHosts: path.join(home, '.ssh', 'known_hosts'),
    cleanup: () => undefined,
  };
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    UPCLOUD_API_URL: cloud.emulator.apiUrl,
    UPCLOUD_USERNAME: cloud.emulator.username,
    UPCLOUD_PASSWORD: cloud.emulator.password,
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
