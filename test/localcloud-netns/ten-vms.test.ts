import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import type { VmBackend } from '../localcloud/backend.js';
import { createNetnsBackend } from '../localcloud/netns/index.js';
import type { InstanceNames } from '../localcloud/netns/names.js';
import { instanceOf, leftovers, makeClient, nothingLeft, requirements, server, ssh, type Client } from './helpers.js';

const COUNT = 10;
const uuids = Array.from({ length: COUNT }, (_, i) => `ten-${i}`);

describeIf(requirements(), 'netns backend: ten VMs at once', () => {
  let backend: VmBackend;
  let instance: InstanceNames;
  let client: Client;
  const ips = new Map<string, string>();

  beforeAll(async () => {
    client = makeClient();
    backend = await createNetnsBackend({ instance: 'ten-vms.test' });
    instance = instanceOf(backend);
  });

  afterAll(async () => {
    await backend?.close();
    client?.cleanup();
  });

  it('all come up and are reachable, each with its own engine', async () => {
    await Promise.all(
      uuids.map(async (uuid) => {
        ips.set(uuid, (await backend.allocate(server(uuid, client.publicKey))).ip);
        await backend.start(uuid);
      }),
    );
    expect(new Set(ips.values()).size).toBe(COUNT);
    const results = await Promise.all(
      uuids.map((uuid) => ssh(client, ips.get(uuid)!, `hostname >/dev/null; docker info --format '{{.ID}}'; ip -4 -o addr show eth0`)),
    );
    const engineIds = new Set<string>();
    results.forEach((result, i) => {
      expect(result.code, result.stderr).toBe(0);
      const [engineId, address] = result.stdout.trim().split('\n');
      engineIds.add(engineId!);
      expect(address).toContain(`inet ${ips.get(uuids[i]!)}/24`);
    });
    expect(engineIds.size).toBe(COUNT);
  }, 240_000);

  it('a container on one VM is seen by that VM only', async () => {
    const [first, second] = [ips.get(uuids[0]!)!, ips.get(uuids[1]!)!];
    const run = await ssh(client, first, `docker run -d --name only-here ${backend.images!.v2} sh -c 'trap "exit 0" TERM; while sleep 1 & wait $!; do :; done'`);
    expect(run.code, run.stderr).toBe(0);
    expect((await ssh(client, first, 'docker ps --format "{{.Names}}"')).stdout).toBe('only-here\n');
    expect((await ssh(client, second, 'docker ps --format "{{.Names}}"')).stdout).toBe('');
  });

  it('each VM has its own home, /tmp and hostname, also for bind mounts of its containers', async () => {
    const marker = `.kamal-dev-netns-test-${process.pid}`;
    const writes = await Promise.all(uuids.map((uuid) => ssh(client, ips.get(uuid)!, `mkdir -p ~/${marker} && echo ${uuid} > ~/${marker}/id && echo ${uuid} > /tmp/${marker}`)));
    for (const result of writes) expect(result.code, result.stderr).toBe(0);
    const reads = await Promise.all(uuids.map((uuid) => ssh(client, ips.get(uuid)!, `hostname; cat ~/${marker}/id /tmp/${marker}`)));
    reads.forEach((result, i) => expect(result.stdout).toBe(`test-${uuids[i]}\n${uuids[i]}\n${uuids[i]}\n`));
    expect(existsSync(`/root/${marker}`)).toBe(false);
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    const mounted = await ssh(client, ips.get(uuids[3]!)!, `docker run --rm -v /root/${marker}:/probe ${backend.images!.v1} cat /probe/id`);
    expect(mounted.stdout).toBe(`${uuids[3]}\n`);
  });

  it('deleting them all leaves nothing', async () => {
    await Promise.all(uuids.map((uuid) => backend.destroy(uuid)));
    for (const ip of ips.values()) {
      const host = ip.split('.')[3];
      expect(leftovers(`${instance.prefix}-${host}`, `${instance.dir}/vm${host}`)).toEqual(nothingLeft);
      expect(leftovers(`${instance.prefix}v${host}`, `${instance.dir}/vm${host}`).links).toEqual([]);
    }
    await backend.close();
    expect(leftovers(instance.prefix, instance.dir)).toEqual(nothingLeft);
  }, 120_000);
});
