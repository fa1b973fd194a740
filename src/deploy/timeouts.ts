/** How long each lifecycle operation waits for SSH on a VM that should already be up (a new VM waits longer). */
export const CONNECT_TIMEOUT_MS = {
  status: 20_000,
  rebuild: 20_000,
  remove: 20_000,
  power: 30_000,
  attach: 20_000,
} as const;

/** How long a freshly started engine may take to answer `docker info`. */
export const DOCKER_ENGINE_TIMEOUT_MS = 60_000;
