/**
 * How the UpCloud emulator gives its servers a body. The emulator owns the API objects and their states;
 * a backend gives each server an address and, for the `netns` backend, a real machine behind it.
 */
export interface BackendServer {
  uuid: string;
  hostname: string;
  /** Public keys from the create request's login_user.ssh_keys, as cloud-init would install them. */
  sshKeys: string[];
  /** Labels of the create request (key -> value). */
  labels: Record<string, string>;
  /** Machine options chosen by the emulator's control endpoint for this server (see emulator README). */
  options: {
    /** false: `docker` is absent until the served install script is run. */
    docker: boolean;
    /** false: sshd never starts (a VM whose SSH never comes up). */
    ssh: boolean;
  };
}

/** References of the local registry's test images: busybox tags 1 and 2, and Debian with git. */
export interface TestImages {
  v1: string;
  v2: string;
  debian: string;
}

export interface VmBackend {
  readonly name: 'none' | 'netns';
  /** Where VMs can fetch the Docker install script (netns only); KAMAL_DEV_DOCKER_INSTALL_URL for kamal-dev. */
  readonly dockerInstallUrl?: string;
  /**
   * The command on every VM's PATH that powers that VM off through the emulator (netns only): the local cloud's
   * stand-in for `systemctl poweroff`, which inside these VMs would stop the whole machine. KAMAL_DEV_IDLE_POWEROFF.
   */
  readonly poweroffCommand?: string;
  /** The VMs have no systemd: the idle watcher runs as a loop (KAMAL_DEV_IDLE_RUNNER=loop; netns only). */
  readonly idleRunner?: 'loop';
  /** The emulator hands in what a power-off from inside a VM does to its server (netns only). */
  onPowerOff?(handler: (uuid: string) => void): void;
  /** Test images in the local registry, reachable from every VM (netns only). */
  readonly images?: TestImages;
  /** Called once at create, before the 202 reply: allocates the public IPv4 that the server keeps until deleted. */
  allocate(server: BackendServer): Promise<{ ip: string }>;
  /** Called when the server leaves `maintenance` after create or start: boots the machine. */
  start(uuid: string): Promise<void>;
  /** Called on stop: the machine's processes end, its data stays. */
  stop(uuid: string): Promise<void>;
  /** Called on delete: nothing of the server is left. */
  destroy(uuid: string): Promise<void>;
  /** Called when the emulator shuts down: destroys every server and shared resource. */
  close(): Promise<void>;
}
