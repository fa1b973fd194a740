import { mkdir, rm } from 'node:fs/promises';
import type { BackendServer, VmBackend } from '../backend.js';
import { sleep } from '../../../src/lib/sleep.js';
import { LOCAL_POWEROFF, buildSystemBin, installPowerOffCommand } from './bin-folders.js';
import { claimInstance } from './claim.js';
import { DEBIAN_REPOSITORY, DEBIAN_TAG, buildDebianImage } from './debian-image.js';
import { UnknownVmError, startInstallServer, type InstallServer } from './install-server.js';
import { FIRST_HOST, INSTALL_PORT, LAST_HOST, REGISTRY_PORT, instanceNames, vmNames, type InstanceNames } from './names.js';
import { createBridge } from './network.js';
import { pushImage, startRegistry, stopRegistry } from './registry.js';
import { sweepInstance } from './sweep.js';
import { buildTestImage } from './test-image.js';
import { NetnsVm } from './vm.js';

export interface NetnsBackendOptions {
  /** Time a machine takes to boot: start() waits this long before its services start. Default 0. */
  bootDelayMs?: number;
  log?: (line: string) => void;
  /** A label for this instance, written in its claim file and log lines (e.g. the test file's name). */
  instance?: string;
}

/** Removes the leftovers of instances whose owner died, then deletes their claims. */
async function reapInstances(ks: number[], log: (line: string) => void): Promise<void> {
  for (const k of ks) {
    const names = instanceNames(k);
    log(`removing leftovers of local cloud instance ${k} (its owner has ended)`);
    await sweepInstance(names.prefix, names.dir, 0);
    await rm(names.claimFile, { force: true });
  }
}

/** Bridge, docker-less command folder, registry with the test images, install script server. */
async function startShared(names: InstanceNames, log: (line: string) => void) {
  await mkdir(names.dir, { recursive: true });
  await createBridge(names);
  const systemBin = `${names.dir}/sysbin`;
  await buildSystemBin(systemBin);
  await installPowerOffCommand(systemBin, `http://${names.bridgeIp}:${INSTALL_PORT}`);
  const registry = `${names.bridgeIp}:${REGISTRY_PORT}`;
  const registryPid = await startRegistry(`${names.dir}/registry`, registry);
  const [v1, v2, debian] = await Promise.all([buildTestImage(names.dir, '1'), buildTestImage(names.dir, '2'), buildDebianImage()]);
  const images = {
    v1: await pushImage(registry, '1', v1),
    v2: await pushImage(registry, '2', v2),
    debian: await pushImage(registry, DEBIAN_TAG, debian, DEBIAN_REPOSITORY),
  };
  log(`local cloud ${names.k}: bridge ${names.bridge} ${names.bridgeIp}/24, registry ${registry}`);
  return { systemBin, registry, registryPid, images };
}

/**
 * The `netns` backend: every server is a network namespace on this instance's bridge with its own sshd and
 * dockerd. Needs root. Several instances may run at once; each claims its own /24 in 198.18.0.0/16.
 */
export async function createNetnsBackend(options: NetnsBackendOptions = {}): Promise<VmBackend> {
  const label = options.instance ?? `pid ${process.pid}`;
  const { k, toReap } = await claimInstance(label);
  const names = instanceNames(k);
  const log = (line: string) => options.log?.(`[localcloud ${label}] ${line}`);
  let shared: Awaited<ReturnType<typeof startShared>>;
  const vms = new Map<string, NetnsVm>();
  let installServer: InstallServer;
  let powerOffHandler: ((uuid: string) => void) | undefined;
  const teardown = () => sweepInstance(names.prefix, names.dir, 3_000).then(() => rm(names.claimFile, { force: true }));
  try {
    await reapInstances(toReap, log);
    shared = await startShared(names, log);
    const vmAt = (ip: string): NetnsVm => {
      const vm = [...vms.values()].find((candidate) => candidate.names.ip === ip);
      if (!vm) throw new UnknownVmError(ip);
      return vm;
    };
    installServer = await startInstallServer(
      names.bridgeIp,
      INSTALL_PORT,
      async (ip) => {
        const vm = vmAt(ip);
        log(`installing docker on ${vm.server.hostname} (${ip})`);
        await vm.installDocker();
      },
      (ip) => {
        const vm = vmAt(ip);
        log(`${vm.server.hostname} (${ip}) powers itself off`);
        powerOffHandler?.(vm.server.uuid);
      },
    );
  } catch (error) {
    await teardown();
    throw error;
  }

  const vmOf = (uuid: string): NetnsVm => {
    const vm = vms.get(uuid);
    if (!vm) throw new Error(`netns backend: no machine for server ${uuid}`);
    return vm;
  };
  const freeHost = (): number => {
    const used = new Set([...vms.values()].map((vm) => vm.names.ip));
    for (let host = FIRST_HOST; host <= LAST_HOST; host++) if (!used.has(vmNames(names, host).ip)) return host;
    throw new Error(`netns backend: all ${LAST_HOST - FIRST_HOST + 1} addresses of ${names.subnet} are in use`);
  };
  let closing: Promise<void> | undefined;

  return {
    name: 'netns',
    dockerInstallUrl: installServer.url,
    poweroffCommand: LOCAL_POWEROFF,
    idleRunner: 'loop',
    onPowerOff(handler) {
      powerOffHandler = handler;
    },
    images: shared.images,
    async allocate(server: BackendServer) {
      if (vms.has(server.uuid)) throw new Error(`netns backend: server ${server.uuid} already has a machine`);
      const vm = new NetnsVm(server, vmNames(names, freeHost()), { instance: names, systemBin: shared.systemBin, registry: shared.registry });
      vms.set(server.uuid, vm);
      try {
        await vm.create();
      } catch (error) {
        vms.delete(server.uuid);
        await vm.destroy().catch(() => undefined);
        throw error;
      }
      log(`${server.hostname}: ${vm.names.ip} (${vm.names.netns})`);
      return { ip: vm.names.ip };
    },
    async start(uuid: string) {
      const vm = vmOf(uuid);
      if (options.bootDelayMs) await sleep(options.bootDelayMs);
      await vm.start();
      log(`${vm.server.hostname}: started (ssh ${vm.server.options.ssh ? 'on' : 'off'}, docker ${vm.hasDocker ? 'on' : 'absent'})`);
    },
    async stop(uuid: string) {
      const vm = vmOf(uuid);
      await vm.stop();
      log(`${vm.server.hostname}: stopped`);
    },
    async destroy(uuid: string) {
      const vm = vmOf(uuid);
      await vm.destroy();
      vms.delete(uuid);
      log(`${vm.server.hostname}: destroyed`);
    },
    close() {
      closing ??= (async () => {
        await installServer.close();
        await Promise.allSettled([...vms.values()].map((vm) => vm.destroy()));
        vms.clear();
        await stopRegistry(shared.registryPid);
        await teardown();
        log(`local cloud ${k}: closed`);
      })();
      return closing;
    },
  };
}
