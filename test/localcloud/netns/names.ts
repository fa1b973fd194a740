/**
 * Names and addresses of one local cloud instance k: its own /24 inside 198.18.0.0/16, its own bridge and folder.
 * Every name carries the zero-padded instance number so that instances (and their leftovers) never mix.
 */
export const ROOT_DIR = '/run/kamal-dev-localcloud';
export const FIRST_INSTANCE = 16;
export const LAST_INSTANCE = 250;
export const FIRST_HOST = 2;
export const LAST_HOST = 254;
export const INSTALL_PORT = 8080;
export const REGISTRY_PORT = 5000;

export interface InstanceNames {
  k: number;
  /** kdl<kkk>: prefix of every interface and namespace of the instance. */
  prefix: string;
  bridge: string;
  bridgeIp: string;
  subnet: string;
  dir: string;
  claimFile: string;
}

export function instanceNames(k: number): InstanceNames {
  if (!Number.isInteger(k) || k < 0 || k > 255) throw new Error(`instance number out of range: ${k}`);
  const kkk = String(k).padStart(3, '0');
  return {
    k,
    prefix: `kdl${kkk}`,
    bridge: `kdl${kkk}br`,
    bridgeIp: `198.18.${k}.1`,
    subnet: `198.18.${k}.0/24`,
    dir: `${ROOT_DIR}/i${kkk}`,
    claimFile: `${ROOT_DIR}/i${kkk}.claim`,
  };
}

export interface VmNames {
  ip: string;
  /** Network namespace, as listed by `ip netns list`. */
  netns: string;
  /** Host end of the veth pair, enslaved to the bridge (the VM end is `eth0` inside the namespace). */
  veth: string;
  dir: string;
}

export function vmNames(instance: InstanceNames, host: number): VmNames {
  if (!Number.isInteger(host) || host < FIRST_HOST || host > LAST_HOST) throw new Error(`host number out of range: ${host}`);
  return {
    ip: `198.18.${instance.k}.${host}`,
    netns: `${instance.prefix}-${host}`,
    veth: `${instance.prefix}v${host}`,
    dir: `${instance.dir}/vm${host}`,
  };
}

/** The instance number of a name made by instanceNames/vmNames, or undefined for anyone else's. */
export function instanceOfName(name: string): number | undefined {
  const match = /^kdl(\d{3})(?:br|v\d+|-\d+)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
