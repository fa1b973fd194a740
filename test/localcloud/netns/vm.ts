import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { BackendServer } from '../backend.js';
import { installCloudInitCommand, installDockerCommand } from './bin-folders.js';
import { readCloudConfig } from './cloud-config.js';
import { run } from './exec.js';
import { dockerSocket, startDockerd, stopDockerd, type DockerdPaths } from './dockerd.js';
import { unmountUnder } from './mounts.js';
import type { InstanceNames, VmNames } from './names.js';
import { createVmNetwork, setDefaultRoute, setVmLink } from './network.js';
import { prepareSshd, startSshd, stopSshd, type SshdPaths } from './sshd.js';
import { killProcesses, sweep } from './sweep.js';
import { startVmInit, type VmInit } from './vm-init.js';

export interface VmContext {
  instance: InstanceNames;
  /** The instance's docker-less system command folder, last on the PATH of SSH sessions. */
  systemBin: string;
  /** <bridge ip>:5000 */
  registry: string;
}

/** One server's machine: a network namespace on the bridge with its own sshd and dockerd. */
export class NetnsVm {
  /** The running VM's first process, whose namespaces sshd and dockerd join; undefined while stopped. */
  private init: VmInit | undefined;
  /** Operations on one VM run one after another (the install script may arrive while the VM stops). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sshd: SshdPaths;
  private readonly dockerd: DockerdPaths;

  constructor(
    readonly server: BackendServer,
    readonly names: VmNames,
    private readonly context: VmContext,
  ) {
    this.dockerd = { dir: names.dir, netns: names.netns, registry: context.registry };
    this.sshd = { dir: names.dir, netns: names.netns, ip: names.ip, path: `${this.bin}:${context.systemBin}`, dockerSocket: dockerSocket(names.dir) };
  }

  private get bin(): string {
    return `${this.names.dir}/bin`;
  }

  /** Docker is installed: from the start (options.docker) or once the served install script ran; kept on disk. */
  private get dockerMarker(): string {
    return `${this.names.dir}/docker-installed`;
  }

  /** Written when the cloud-config's runcmd has run (once per VM, as cloud-init's final stage): `status: done|error`. */
  private get cloudInitDone(): string {
    return `${this.names.dir}/cloud-init.status`;
  }

  get hasDocker(): boolean {
    return existsSync(this.dockerMarker);
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Folder, network and keys; the machine stays off (link down) until start. */
  create(): Promise<void> {
    return this.serially(async () => {
      await mkdir(this.bin, { recursive: true });
      await createVmNetwork(this.context.instance, this.names);
      await setVmLink(this.names, false);
      const { hostKey } = readCloudConfig(this.server.userData);
      if (this.server.options.ssh) await prepareSshd(this.sshd, this.server.sshKeys, this.server.options.ownHostKey ? undefined : hostKey);
      await installCloudInitCommand(this.bin, this.cloudInitDone);
      if (this.server.options.docker) await this.markDockerInstalled();
    });
  }

  private async markDockerInstalled(): Promise<void> {
    await installDockerCommand(this.bin, dockerSocket(this.names.dir));
    await writeFile(this.dockerMarker, `${new Date().toISOString()}\n`);
  }

  /** Link up, the init, then sshd (instant) and dockerd (a few seconds) together; resolves when both answer. */
  start(): Promise<void> {
    return this.serially(async () => {
      if (this.init) return;
      await setVmLink(this.names, true);
      await setDefaultRoute(this.context.instance, this.names);
      try {
        const init = await startVmInit(this.names.dir, this.names.netns, this.server.hostname);
        this.init = init;
        await Promise.all([
          this.server.options.ssh ? startSshd(this.sshd, init.enter) : Promise.resolve(),
          this.hasDocker ? startDockerd(this.dockerd, init.enter) : Promise.resolve(),
        ]);
        // like cloud-init's final stage, after sshd is up and without holding up the boot
        if (!existsSync(this.cloudInitDone)) void this.runCmd(init);
      } catch (error) {
        // a machine that did not come up is left off, so that the next start begins from scratch
        await this.halt().catch(() => undefined);
        throw error;
      }
    });
  }

  /** The cloud-config's runcmd, each in the VM as an SSH session would run it; then the status file. */
  private async runCmd(init: VmInit): Promise<void> {
    const env = ['env', `PATH=${this.sshd.path}`, `DOCKER_HOST=unix://${dockerSocket(this.names.dir)}`, `HOME=/root`];
    let status = 'done';
    for (const argv of readCloudConfig(this.server.userData).runcmd) {
      const ok = await run('nsenter', [...init.enter, ...env, ...argv], { timeoutMs: 600_000 }).then(() => true, () => false);
      if (!ok) status = 'error';
    }
    await writeFile(this.cloudInitDone, `status: ${status}\n`).catch(() => undefined);
  }

  /** What the served install script asks for: Docker on this VM's PATH and its engine running, now and after restarts. */
  installDocker(): Promise<void> {
    return this.serially(async () => {
      const init = this.init;
      if (!init) throw new Error(`${this.server.hostname} is not running`);
      if (this.hasDocker) return;
      await this.markDockerInstalled();
      await startDockerd(this.dockerd, init.enter);
    });
  }

  /** The engine first (it stops its containers), then sshd, then the init and whatever else runs in the namespace; data stays. */
  stop(): Promise<void> {
    return this.serially(() => this.halt());
  }

  private async halt(): Promise<void> {
    await stopDockerd(this.dockerd);
    await stopSshd(this.sshd);
    await killProcesses(this.names.dir, [this.names.netns], 3_000);
    await unmountUnder(this.names.dir);
    await setVmLink(this.names, false);
    this.init = undefined;
  }

  /** Nothing of the VM is left: processes, mounts, namespace, veth, folder. */
  destroy(): Promise<void> {
    return this.serially(async () => {
      await stopDockerd(this.dockerd).catch(() => undefined);
      this.init = undefined;
      await sweep({ dir: this.names.dir, namespaces: [this.names.netns], links: [this.names.veth], graceMs: 3_000 });
    });
  }
}
