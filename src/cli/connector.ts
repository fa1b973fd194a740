import type { Connection, Connector } from '../deploy/ports.js';
import type { Secret } from '../lib/secret.js';
import { ExecutorPool } from '../remote/pool.js';
import type { SshConnectOptions } from '../remote/ssh-executor.js';
import { waitForSsh } from '../remote/wait-for-ssh.js';

export interface ConnectorOptions {
  user: string;
  port: number;
  /** Per host address, a user and port that replace `user` and `port` (own hosts of the ssh provider). */
  targets?: Readonly<Record<string, { user?: string; port?: number }>>;
  /** The user's known_hosts keys of a host: consulted for the hosts of `targets` only (own hosts, not new VMs). */
  knownHosts?: (host: string, port: number) => readonly string[];
  privateKeyPath: string;
  agent: string | undefined;
  secrets: readonly Secret[];
  onCommand?: SshConnectOptions['onCommand'];
  /** git.forward_agent: the connections offer `agent` to the commands that ask for it (the clone and the fetch). */
  forwardAgent?: boolean;
}

/**
 * SSH for one kamal-dev run: the first connection to a host waits for it to boot (with a deadline), later
 * ones reuse that connection. `closeAll` ends them all.
 */
export function sshConnector(options: ConnectorOptions): Connector {
  const pool = new ExecutorPool();
  const opening = new Map<string, Promise<Connection>>();
  const connect: Connector['connect'] = (ip, pinned, { signal, timeoutMs }) => {
    const port = options.targets?.[ip]?.port ?? options.port;
    const known = !pinned && options.targets?.[ip] ? (options.knownHosts?.(ip, port) ?? []) : [];
    const target: SshConnectOptions = {
      host: ip,
      port,
      user: options.targets?.[ip]?.user ?? options.user,
      privateKeyPath: options.privateKeyPath,
      agent: options.agent,
      secrets: options.secrets,
      ...(pinned ? { pinnedHostKey: pinned } : {}),
      ...(known.length > 0 ? { knownHostKeys: known } : {}),
      ...(options.onCommand ? { onCommand: options.onCommand } : {}),
      ...(options.forwardAgent ? { forwardAgent: true } : {}),
    };
    const seen = pool.hostKey(target);
    if (seen) return pool.get(target).then((executor) => ({ executor, hostKey: seen }));
    let pending = opening.get(ip);
    if (!pending) {
      pending = waitForSsh({ ...target, deadlineMs: timeoutMs, signal }).then((connection) => {
        pool.adopt(target, connection);
        return connection;
      });
      opening.set(ip, pending);
      pending.then(
        () => opening.delete(ip),
        () => opening.delete(ip),
      );
    }
    return pending;
  };
  return { connect, closeAll: () => pool.closeAll() };
}
