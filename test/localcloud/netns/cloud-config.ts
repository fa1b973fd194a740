import { parse } from 'yaml';

/** The part of cloud-config that the netns VMs honour: the one kamal-dev sends (see ../README.md). */
export interface VmCloudConfig {
  /** `ssh_keys.ed25519_private` / `_public`: the VM's host key instead of one it makes. */
  hostKey?: { privateKey: string; publicKey: string };
  /** `runcmd`, each as an argv (a string item runs through sh, as cloud-init does), run once after the boot. */
  runcmd: string[][];
}

/** Reads user_data; anything but `#cloud-config` (or absent) is a VM with no cloud-config. */
export function readCloudConfig(userData: string | undefined): VmCloudConfig {
  if (!userData?.startsWith('#cloud-config\n')) return { runcmd: [] };
  const config = (parse(userData) ?? {}) as { ssh_keys?: Record<string, unknown>; runcmd?: unknown[] };
  const priv = config.ssh_keys?.ed25519_private;
  const pub = config.ssh_keys?.ed25519_public;
  const runcmd = (config.runcmd ?? []).map((item) => (typeof item === 'string' ? ['sh', '-c', item] : (item as unknown[]).map(String)));
  return { ...(typeof priv === 'string' && typeof pub === 'string' ? { hostKey: { privateKey: priv, publicKey: pub } } : {}), runcmd };
}
