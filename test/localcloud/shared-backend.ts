import type { VmBackend } from './backend.js';

/**
 * One backend behind two emulators (UpCloud and Hetzner): each emulator's close() destroys its own servers
 * but leaves the backend up; `close()` here closes it once both are done. Server IDs cannot collide: UpCloud's
 * are UUIDs, Hetzner's integers.
 */
export function shareBackend(backend: VmBackend): { backend: VmBackend; close(): Promise<void> } {
  const shared: VmBackend = {
    name: backend.name,
    ...(backend.dockerInstallUrl !== undefined ? { dockerInstallUrl: backend.dockerInstallUrl } : {}),
    ...(backend.images !== undefined ? { images: backend.images } : {}),
    allocate: (server) => backend.allocate(server),
    start: (id) => backend.start(id),
    stop: (id) => backend.stop(id),
    destroy: (id) => backend.destroy(id),
    close: async () => {},
  };
  return { backend: shared, close: () => backend.close() };
}
