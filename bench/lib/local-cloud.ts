import { readFileSync } from 'node:fs';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../test/localcloud/emulator/emulator.js';
import { createNetnsBackend } from '../../test/localcloud/netns/index.js';
import { instanceNames, vmNames, type VmNames } from '../../test/localcloud/netns/names.js';

export interface BenchCloud {
  emulator: Emulator;
  images: { v1: string; v2: string };
  dockerInstallUrl: string;
  /** Environment that points kamal-dev at this cloud. */
  env: NodeJS.ProcessEnv;
  /** Total authenticated API requests so far, and per route. */
  requests(): { total: number; byRoute: Record<string, number> };
  liveServers(): number;
  close(): Promise<void>;
}

/** The emulator with real netns VMs behind it (root only). */
export async function startBenchCloud(options: Omit<EmulatorOptions, 'backend'>): Promise<BenchCloud> {
  const backend = await createNetnsBackend({ instance: 'bench' });
  const emulator = await startEmulator({ ...options, backend });
  return {
    emulator,
    images: backend.images!,
    dockerInstallUrl: backend.dockerInstallUrl!,
    env: {
      UPCLOUD_API_URL: emulator.apiUrl,
      UPCLOUD_USERNAME: emulator.username,
      UPCLOUD_PASSWORD: emulator.password,
      KAMAL_DEV_DOCKER_INSTALL_URL: backend.dockerInstallUrl,
      KAMAL_DEV_TEST_IMAGE: backend.images!.v1,
    },
    requests: () => {
      const byRoute = Object.fromEntries(Object.entries(emulator.stats().requests).filter(([route]) => route.includes(' /1.3')));
      return { total: Object.values(byRoute).reduce((a, b) => a + b, 0), byRoute };
    },
    liveServers: () => emulator.stats().live_servers,
    close: () => emulator.close(),
  };
}

/** Routes whose count grew between two snapshots of `requests().byRoute`. */
export function requestDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([route, n]) => [route, n - (before[route] ?? 0)]).filter(([, n]) => (n as number) > 0));
}

/** The names of the netns VM at `ip`: its namespace and its folder (sshd's config, host key and log are in `<dir>/ssh`). */
export function vmOf(ip: string): VmNames {
  const [, , k, host] = ip.split('.').map(Number);
  return vmNames(instanceNames(k as number), host as number);
}

/** SSH logins accepted so far by the sshd of the netns VM at `ip` (its log lives in the VM's folder until it is destroyed). */
export function acceptedSshLogins(ip: string): number {
  return readFileSync(`${vmOf(ip).dir}/ssh/sshd.log`, 'utf8').split('\n').filter((line) => line.includes('Accepted publickey')).length;
}
