import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import type { VmBackend } from '../localcloud/backend.js';
import { createNetnsBackend } from '../localcloud/netns/index.js';
import { LAST_INSTANCE, instanceNames, type InstanceNames } from '../localcloud/netns/names.js';
import { instanceOf, leftovers, makeClient, nothingLeft, requirements, server, ssh, type Client } from './helpers.js';

interface OwnerReport {
  ip: string;
  installUrl: string;
  image: string;
}

function startOwner(publicKey: string): Promise<{ child: ChildProcess; report: OwnerReport }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/localcloud-netns/fixtures/owner.ts', publicKey], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, report: JSON.parse(line) as OwnerReport }));
  });
}

/** Processes whose command line contains `text` (a container's command is not under the instance folder). */
const processesMatching = (text: string) =>
  execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text)).length;

describeIf(requirements(), 'netns backend: leftovers of a killed owner', () => {
  let live: VmBackend;
  let liveInstance: InstanceNames;
  let next: VmBackend | undefined;
  let client: Client;

  beforeAll(async () => {
    client = makeClient();
    live = await createNetnsBackend({ instance: 'leftovers.test (live neighbour)' });
    liveInstance = instanceOf(live);
    await live.allocate(server('neighbour', client.publicKey));
    await live.start('neighbour');
  });

  afterAll(async () => {
    await next?.close();
    await live?.close();
    client?.cleanup();
  });

  it('are removed by the next instance, and a live neighbour instance is left alone', async () => {
    const { child, report } = await startOwner(client.publicKey);
    const dead = instanceNames(Number(report.ip.split('.')[2]));
    expect(dead.k).not.toBe(liveInstance.k);
    const marker = `sleep ${4000 + Math.floor(Math.random() * 5000)}`;
    const run = await ssh(client, report.ip, `docker run -d ${report.image} sh -c '${marker}'`);
    expect(run.code, run.stderr).toBe(0);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const before = leftovers(dead.prefix, dead.dir);
    expect(before.netns).toEqual([`${dead.prefix}-2`]);
    expect(before.links).toContain(dead.bridge);
    expect(before.processes.join('\n')).toMatch(/dockerd[\s\S]*docker-registry|docker-registry[\s\S]*dockerd/);
    expect(processesMatching(marker)).toBeGreaterThan(0);
    expect(existsSync(dead.claimFile)).toBe(true);

    next = await createNetnsBackend({ instance: 'leftovers.test (next)' });
    expect(leftovers(dead.prefix, dead.dir)).toEqual(nothingLeft);
    expect(processesMatching(marker)).toBe(0);
    expect(existsSync(dead.claimFile)).toBe(false);

    // the live neighbour still works
    expect(existsSync(liveInstance.claimFile)).toBe(true);
    const neighbour = await ssh(client, `198.18.${liveInstance.k}.2`, 'docker info --format "{{.ServerVersion}}"');
    expect(neighbour.code, neighbour.stderr).toBe(0);
  }, 180_000);

  it('resources of the local cloud naming without any claim (an interrupted cleanup) are removed too', async () => {
    const orphan = instanceNames(LAST_INSTANCE);
    expect(existsSync(orphan.claimFile)).toBe(false);
    execFileSync('ip', ['netns', 'add', `${orphan.prefix}-7`]);
    mkdirSync(`${orphan.dir}/vm7`, { recursive: true });
    expect(leftovers(orphan.prefix, orphan.dir)).toMatchObject({ netns: [`${orphan.prefix}-7`], folder: true });

    const another = await createNetnsBackend({ instance: 'leftovers.test (orphans)' });
    try {
      expect(leftovers(orphan.prefix, orphan.dir)).toEqual(nothingLeft);
      expect(existsSync(orphan.claimFile)).toBe(false);
    } finally {
      await another.close();
    }
  }, 120_000);
});
