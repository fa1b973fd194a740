import { createServer, type Server } from 'node:http';

/**
 * The Docker install script the VMs fetch (`curl -fsSL <url> | sh`, as kamal-dev's bootstrap does with
 * KAMAL_DEV_DOCKER_INSTALL_URL). Running it asks this server, from the VM's own address, to install Docker:
 * the server puts `docker` on that VM's PATH and starts its engine before answering.
 */
export function installScript(base: string): string {
  return [
    '#!/bin/sh',
    '# Docker for a VM of the kamal-dev local cloud (stands in for https://get.docker.com).',
    'set -e',
    `echo "# Installing Docker from ${base}"`,
    `curl -fsS -X POST ${base}/install-docker`,
    'docker version --format "# Docker {{.Server.Version}} installed"',
    '',
  ].join('\n');
}

export interface InstallServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `install(ip)` installs Docker on the VM with that address; `powerOff(ip)` powers it off (answered first: the
 * caller is a process of that VM). Both throw UnknownVmError for an address that is no VM.
 */
export async function startInstallServer(
  host: string,
  port: number,
  install: (ip: string) => Promise<void>,
  powerOff: (ip: string) => void,
): Promise<InstallServer> {
  const base = `http://${host}:${port}`;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    if (req.method === 'GET' && req.url === '/install-docker.sh') return reply(200, installScript(base));
    const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (req.method === 'POST' && req.url === '/poweroff') {
      try {
        powerOff(ip);
        return reply(202, `# powering ${ip} off\n`);
      } catch (error) {
        return reply(error instanceof UnknownVmError ? 403 : 500, `${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    if (req.method === 'POST' && req.url === '/install-docker') {
      install(ip).then(
        () => reply(200, `# Docker installed on ${ip}\n`),
        (error: unknown) => reply(error instanceof UnknownVmError ? 403 : 500, `${error instanceof Error ? error.message : String(error)}\n`),
      );
      return;
    }
    reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `${base}/install-docker.sh`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export class UnknownVmError extends Error {
  constructor(ip: string) {
    super(`${ip} is not a VM of this local cloud`);
  }
}
