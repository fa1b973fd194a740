import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VmBackend } from '../backend.js';
import { statsOf, type ControlFleet, type EmulatorStats } from './control-routes.js';
import type { Effect } from './faults.js';
import type { ControlState, RequestRecord } from './state.js';

/** Listens on host:port (port 0: a free one) with `handle`; resolves once listening, with the base URL. */
export async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, host = '127.0.0.1', port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` };
}

/** What both emulators hand their tests: stats, the request log, the servers, scripted faults, close. */
export interface EmulatorHandle<S> {
  backend: VmBackend;
  stats(): EmulatorStats;
  /** The API requests so far (the last 10 000; control requests not included), oldest first; a live view. */
  requestLog(): readonly RequestRecord[];
  /** The live servers (what `GET /_localcloud/servers` shows), as records. */
  servers(): readonly S[];
  /** Effects for the next API requests, in order, before any random fault (see README, Faults). */
  script(...effects: Effect[]): void;
  /** Like script(), for the next requests of one HTTP method only; these come first. */
  scriptOn(method: string, ...effects: Effect[]): void;
  /** Destroys every server through the backend, closes the backend and stops listening. */
  close(): Promise<void>;
}

export function emulatorHandle<S>(server: Server, control: ControlState, fleet: ControlFleet & { all(): S[]; destroyAll(): Promise<void> }, backend: VmBackend): EmulatorHandle<S> {
  let closing: Promise<void> | undefined;
  return {
    backend,
    stats: () => statsOf(control, fleet),
    requestLog: () => control.log,
    servers: () => fleet.all(),
    script: (...effects) => control.faults.script(effects),
    scriptOn: (method, ...effects) => control.faults.script(effects, method),
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await fleet.destroyAll();
        await backend.close();
      })();
      return closing;
    },
  };
}
