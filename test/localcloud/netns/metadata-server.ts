import { createServer, type Server } from 'node:http';
import { tryRun } from './exec.js';

/** The address of UpCloud's (and Hetzner's) metadata service. */
export const METADATA_IP = '169.254.169.254';

export interface MetadataServer {
  /** `http://169.254.169.254:<port>/metadata/v1.json` (a port of its own: other instances share the address). */
  url: string;
  close(): Promise<void>;
}

/**
 * The metadata service as a VM sees it: the address on the instance's bridge (outside the VMs, so containers reach
 * it through their VM's forwarding and NAT, as on a real VM), answering each VM with its own `user_data`, as
 * UpCloud's `/metadata/v1.json` does; anyone else gets 403.
 */
export async function startMetadataServer(bridge: string, userDataOf: (ip: string) => string | undefined): Promise<MetadataServer> {
  await tryRun('ip', ['addr', 'add', `${METADATA_IP}/32`, 'dev', bridge]);
  const server: Server = createServer((req, res) => {
    const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const userData = userDataOf(ip);
    if (req.method !== 'GET' || req.url !== '/metadata/v1.json' || userData === undefined) {
      res.writeHead(userData === undefined ? 403 : 404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ cloud_name: 'localcloud', user_data: userData }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, METADATA_IP, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${METADATA_IP}:${port}/metadata/v1.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
