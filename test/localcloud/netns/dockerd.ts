import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { Client } from 'undici';
import { sleep } from '../../../src/lib/sleep.js';
import { AUTH_REGISTRY_PORT } from './registry.js';
import { spawnDaemon } from './spawn.js';
import { isAlive, readPidFile, terminate } from './procs.js';

export interface DockerdPaths {
  /** The VM's folder; the engine's data, exec root, socket and log live under `<dir>/docker`. */
  dir: string;
  netns: string;
  registry: string;
}

export const dockerSocket = (dir: string) => `${dir}/docker/docker.sock`;
const pidFile = (p: DockerdPaths) => `${p.dir}/docker/dockerd.pid`;
const logFile = (p: DockerdPaths) => `${p.dir}/docker/dockerd.log`;

async function pings(socketPath: string): Promise<boolean> {
  const client = new Client('http://docker', { socketPath, connectTimeout: 1000 });
  try {
    const response = await client.request({ path: '/_ping', method: 'GET', headersTimeout: 2000, bodyTimeout: 2000 });
    await response.body.text();
    return response.statusCode === 200;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * The VM's engine, started with nsenter into the VM's namespaces (`enter`; `ip netns exec` would remount /sys
 * and dockerd would then fail with "Devices cgroup isn't mounted"). Resolves once its socket answers.
 */
export async function startDockerd(p: DockerdPaths, enter: string[], timeoutMs = 60_000): Promise<void> {
  const root = `${p.dir}/docker`;
  await mkdir(root, { recursive: true, mode: 0o700 });
  // Not the host's /etc/docker/daemon.json; and the engine's ID comes from this key, where the default
  // /etc/docker/key.json would give every VM the same ID.
  await writeFile(`${root}/daemon.json`, `${JSON.stringify({ 'deprecated-key-path': `${root}/key.json` })}\n`);
  const pid = spawnDaemon(
    'nsenter',
    [
      ...enter,
      '/usr/sbin/dockerd',
      '--data-root', `${root}/data`,
      '--exec-root', `${root}/exec`,
      '--pidfile', pidFile(p),
      '-H', `unix://${dockerSocket(p.dir)}`,
      '--insecure-registry', p.registry,
      '--insecure-registry', `${p.registry.replace(/:\d+$/, '')}:${AUTH_REGISTRY_PORT}`,
      '--config-file', `${root}/daemon.json`,
      '--log-level', 'warn',
    ],
    logFile(p),
  );
  const deadline = Date.now() + timeoutMs;
  while (!(await pings(dockerSocket(p.dir)))) {
    if (!isAlive(pid)) {
      const log = await readFile(logFile(p), 'utf8').catch(() => '');
      throw new Error(`dockerd of ${p.netns} exited: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    }
    if (Date.now() > deadline) throw new Error(`dockerd of ${p.netns} did not answer within ${timeoutMs} ms (see ${logFile(p)})`);
    await sleep(100);
  }
}

/** SIGTERM (the engine stops its containers), then wait for the exit: a new dockerd on the same data would die on the pid file. */
export async function stopDockerd(p: DockerdPaths): Promise<void> {
  const pid = readPidFile(pidFile(p));
  if (pid !== undefined) await terminate([pid], 30_000);
  await rm(pidFile(p), { force: true });
}
