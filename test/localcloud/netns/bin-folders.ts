import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** What a VM without Docker does not have: the engine, its CLI and its runtime. */
const DOCKER_COMMANDS = /^(docker.*|containerd.*|ctr|runc)$/;
/**
 * What no VM gets: the machine's own power commands. The VMs share this machine's PID namespace and files, so
 * any of them run as root inside a VM would stop the whole machine; LOCAL_POWEROFF stands in for them.
 */
export const HOST_POWER_COMMANDS = /^(systemctl|poweroff|reboot|shutdown|halt|init|telinit|runlevel|kexec)$/;
/** The local cloud's power-off command, on every VM's PATH. */
export const LOCAL_POWEROFF = 'localcloud-poweroff';

/**
 * The VMs share the host's files (only the network is a namespace of its own), so "docker is not installed"
 * is the PATH of SSH sessions: one folder per instance with a link to every system command but Docker's.
 */
export async function buildSystemBin(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const seen = new Set<string>();
  for (const systemDir of SYSTEM_DIRS) {
    if (!existsSync(systemDir)) continue;
    for (const name of readdirSync(systemDir)) {
      if (seen.has(name) || DOCKER_COMMANDS.test(name) || HOST_POWER_COMMANDS.test(name)) continue;
      seen.add(name);
      await symlink(`${systemDir}/${name}`, `${dir}/${name}`);
    }
  }
}

/** `docker` for one VM: the host's client, always pointed at that VM's engine. */
export async function installDockerCommand(vmBin: string, socket: string): Promise<void> {
  await mkdir(vmBin, { recursive: true });
  const script = `#!/bin/sh\n# Docker CLI of this VM: talks to this VM's engine only.\nDOCKER_HOST=unix://${socket} exec /usr/bin/docker "$@"\n`;
  await writeFile(`${vmBin}/docker`, script);
  await chmod(`${vmBin}/docker`, 0o755);
  // Debian's docker-compose (v1), where this machine has it: with Docker, as the VMs' Docker would bring it.
  if (existsSync('/usr/bin/docker-compose')) {
    const compose = `#!/bin/sh\n# docker-compose of this VM: talks to this VM's engine only.\nDOCKER_HOST=unix://${socket} exec /usr/bin/docker-compose "$@"\n`;
    await writeFile(`${vmBin}/docker-compose`, compose);
    await chmod(`${vmBin}/docker-compose`, 0o755);
  }
}

/**
 * `cloud-init` for one VM: `status [--wait]` as cloud-init 22.4 answers it, from the status file the VM writes once
 * its runcmd has run (exit 1 for `status: error`); anything else is refused.
 */
export async function installCloudInitCommand(vmBin: string, statusFile: string): Promise<void> {
  await mkdir(vmBin, { recursive: true });
  const script = [
    '#!/bin/sh',
    '# cloud-init of this netns VM (test/localcloud/README.md): status [--wait] only.',
    `[ "$1" = status ] || { echo "cloud-init: only 'status [--wait]' on a netns VM" >&2; exit 1; }`,
    `case " $* " in *" --wait "*) while [ ! -f '${statusFile}' ]; do sleep 0.2; done ;; esac`,
    `[ -f '${statusFile}' ] || { echo 'status: running'; exit 0; }`,
    `cat '${statusFile}'`,
    `! grep -q 'status: error' '${statusFile}'`,
    '',
  ].join('\n');
  await writeFile(`${vmBin}/cloud-init`, script);
  await chmod(`${vmBin}/cloud-init`, 0o755);
}

/**
 * LOCAL_POWEROFF: asks the backend, from the VM's own address, to power this VM off; the emulator then turns its
 * server `stopped` (test/localcloud/netns/README.md). It signals no process itself.
 */
export async function installPowerOffCommand(systemBin: string, base: string): Promise<void> {
  const script = `#!/bin/sh\n# Powers this local-cloud VM off through the emulator (stands in for systemctl poweroff).\nexec curl -fsS -X POST ${base}/poweroff\n`;
  await writeFile(`${systemBin}/${LOCAL_POWEROFF}`, script);
  await chmod(`${systemBin}/${LOCAL_POWEROFF}`, 0o755);
}
