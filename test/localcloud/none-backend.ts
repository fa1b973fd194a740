import type { VmBackend } from './backend.js';

/**
 * A backend without machines: each server gets an address in 198.19.0.0/16 (inside the benchmarking range
 * 198.18.0.0/15, clear of the netns backend's 198.18.k.0/24 subnets) and nothing else happens.
 */
export function createNoneBackend(): VmBackend {
  const addresses = new Map<string, string>();
  let next = 0;
  return {
    name: 'none',
    async allocate(server) {
      const n = next++;
      const ip = `198.19.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
      addresses.set(server.uuid, ip);
      return { ip };
    },
    async start() {},
    async stop() {},
    async destroy(uuid) {
      addresses.delete(uuid);
    },
    async close() {
      addresses.clear();
    },
  };
}
