import { createServer, type Server, type Socket } from 'node:net';

export interface Forward {
  /** The container port (forwardPorts, appPort or as given), for messages. */
  containerPort: number;
  /** The published port on the VM's loopback. */
  vmPort: number;
  /** The local port asked for; the one used may be higher when it is taken. */
  localPort: number;
}

const MAX_TRIES = 20;

/** Listens on 127.0.0.1 at `port`, or the next free port above it when it is in use. */
export async function listenFrom(port: number, onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  for (let candidate = port; candidate < Math.min(65536, port + MAX_TRIES); candidate += 1) {
    const server = createServer(onConnection);
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(candidate, '127.0.0.1', () => resolve(undefined));
    });
    if (!error) return { server, port: candidate };
    if (error.code !== 'EADDRINUSE') throw error;
  }
  throw new Error(`no free local port from ${port} to ${port + MAX_TRIES - 1}`);
}

/**
 * Each local connection gets its own tunnel from `open`, which waits for a connection to the VM (a dropped one
 * is re-established there): so new connections wait while the link is down, and open ones end with it.
 */
export function tunnel(open: () => Promise<NodeJS.ReadWriteStream>, onError: (error: Error) => void): (socket: Socket) => void {
  return (socket) => {
    socket.pause();
    open().then(
      (remote) => {
        const end = () => {
          socket.destroy();
          (remote as unknown as { destroy?: () => void }).destroy?.();
        };
        socket.pipe(remote);
        remote.pipe(socket);
        // An ssh2 channel closes only once both sides have ended (docs/commands.md#forward).
        remote.on('end', () => socket.end());
        remote.on('close', end).on('error', end);
        socket.on('close', end).on('error', end);
        socket.resume();
      },
      (error: Error) => {
        onError(error);
        socket.destroy();
      },
    );
  };
}
