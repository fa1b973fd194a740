import ssh2, { type Client, type SFTPWrapper } from 'ssh2';
import { CancelledError, ConnectionError } from '../lib/errors.js';
import { redact, Secret } from '../lib/secret.js';
import { resolveAuth, withForwardableAgent, type AuthSources } from './auth.js';
import { ConnectionLostError, execOnClient } from './exec.js';
import type { Argv, ExecResult, Executor, RemoteStream, RunOptions, Terminal } from './executor.js';
import { HostKeyCheck } from './host-key.js';
import { publicKeyFingerprint } from '../lib/ssh-host-key.js';
import { quoteArgv } from './quote.js';
import { sftpUpload } from './sftp-upload.js';
import { Slots } from './slots.js';

export interface SshConnectOptions extends AuthSources {
  host: string;
  port?: number;
  user?: string;
  /** Names the target in messages (the workspace); the host is always named too. */
  name?: string;
  /** `SHA256:...` as pinned in the state: any other host key is refused. */
  pinnedHostKey?: string;
  /** Without a pinned key: the keys the user's known_hosts lists for the host; when not empty, any other is refused. */
  knownHostKeys?: readonly string[];
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** Called after every command (for --verbose) with the command line, secrets redacted. */
  onCommand?: (redactedCommand: string, ms: number, exitCode: number) => void;
  secrets?: readonly Secret[];
  /** The commands that ask (RunOptions.forwardAgent) get the local agent (`agent`), each over a connection of its own. */
  forwardAgent?: boolean;
}

export interface SshConnection {
  executor: SshExecutor;
  /** The host key fingerprint the server presented, for the caller to pin. */
  hostKey: string;
}

export function describeTarget(options: Pick<SshConnectOptions, 'host' | 'port' | 'name'>): string {
  const address = `${options.host}:${options.port ?? 22}`;
  return options.name ? `${options.name} (${address})` : address;
}

/**
 * Opens one authenticated connection; every failure is a ConnectionError whose cause is the ssh2 error.
 * `agentConnection`: the connection for one command with the agent forwarded (see SshExecutor.run).
 */
export async function connectSsh(options: SshConnectOptions, signal?: AbortSignal, agentConnection = false): Promise<SshConnection> {
  const resolved = await resolveAuth(options);
  const auth = agentConnection && options.agent ? withForwardableAgent(resolved, options.agent) : resolved;
  const target = describeTarget(options);
  const hostKeys = new HostKeyCheck(options.pinnedHostKey, options.knownHostKeys);
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      client.removeListener('ready', onReady).removeListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) return resolve();
      client.on('error', () => undefined).end();
      reject(error);
    };
    const onReady = () => settle();
    const onError = (error: Error) =>
      settle(hostKeys.mismatch(target) ?? new ConnectionError(`${target}: ${error.message}`, { cause: error }));
    const onAbort = () => settle(new CancelledError());
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('error', onError).once('ready', onReady);
    client.connect({
      host: options.host,
      port: options.port ?? 22,
      username: options.user ?? 'root',
      ...auth,
      hostVerifier: (key: Buffer) => hostKeys.verify(key),
      readyTimeout: options.readyTimeoutMs ?? 20_000,
      keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 3,
    });
  });
  if (hostKeys.seen === undefined) throw new Error('ssh2 completed a handshake without verifying the host key');
  return { executor: new SshExecutor(client, target, options, hostKeys.publicKey, hostKeys.seen, agentConnection), hostKey: hostKeys.seen };
}

/** An Executor over one ssh2 connection, reused for every command and upload. */
export class SshExecutor implements Executor {
  readonly host: string;
  #lost: Error | undefined;
  /** Each secret as written, and as it reads once and twice quoted (inside and/or/pipe): longest first. */
  readonly #secretForms: Secret[];
  #sftp: Promise<SFTPWrapper> | undefined;
  /** OpenSSH allows 10 sessions per connection (MaxSessions); one is kept for SFTP and one spare. */
  readonly #channels = new Slots(8);

  constructor(
    private readonly client: Client,
    private readonly target: string,
    private readonly options: SshConnectOptions,
    readonly hostPublicKey?: string,
    private readonly hostKeyFingerprint?: string,
    private readonly agentConnection = false,
  ) {
    this.host = options.host;
    this.#secretForms = (options.secrets ?? [])
      .flatMap((secret) => {
        const once = escapeQuotes(secret.reveal());
        return [escapeQuotes(once), once, secret.reveal()];
      })
      .map((form) => new Secret(form));
    client.on('error', (error) => {
      this.#lost = error;
    });
    client.on('close', () => {
      this.#lost ??= new Error('connection closed');
    });
  }

  get alive(): boolean {
    return this.#lost === undefined;
  }

  /** The command line as the remote shell receives it, secrets redacted: for messages and --verbose. */
  describe(argv: Argv): string {
    return this.redact(quoteArgv(argv));
  }

  redact(text: string): string {
    return redact(text, this.#secretForms);
  }

  async run(argv: Argv, options: RunOptions = {}): Promise<ExecResult> {
    this.#ensureAlive();
    if (options.forwardAgent && !this.agentConnection) return this.#runWithAgent(argv, options);
    const description = this.describe(argv);
    const result = await this.#channels
      .use(async () => {
        const started = performance.now();
        const done = await execOnClient(this.client, this.target, quoteArgv(argv), options);
        this.options.onCommand?.(description, Math.round(performance.now() - started), done.exitCode);
        return done;
      })
      .catch((error: unknown) => {
        if (error instanceof ConnectionLostError) {
          this.#lost ??= error;
          this.client.end();
        }
        throw error;
      });
    return { ...result, command: description };
  }

  /**
   * A command with the local agent forwarded runs over a connection of its own, closed when it ends: OpenSSH
   * gives a forwarded agent to every later session of a connection, and removes its socket only when the
   * connection closes. So no other command sees the agent, and no socket is left on the host.
   */
  async #runWithAgent(argv: Argv, options: RunOptions): Promise<ExecResult> {
    if (!this.options.forwardAgent || !this.options.agent) {
      throw new Error(`${this.target}: a command asked for the SSH agent on a connection opened without it`);
    }
    const target: SshConnectOptions = { ...this.options, knownHostKeys: await this.#hostKeysNow(options.signal) };
    delete target.pinnedHostKey;
    const { executor } = await connectSsh(target, options.signal, true);
    try {
      return await executor.run(argv, options);
    } finally {
      await executor.close();
    }
  }

  /**
   * The host keys the host has now, read over this verified connection (a deploy replaces the VM's host key
   * after this connection was opened), and the key this connection saw: what the agent's connection may meet.
   */
  async #hostKeysNow(signal?: AbortSignal): Promise<string[]> {
    const listed = await this.run(['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub 2>/dev/null; exit 0'], signal ? { signal } : {});
    const keys = listed.stdout.split('\n').flatMap((line) => publicKeyFingerprint(line.trim()) ?? []);
    return [...new Set([...(this.hostKeyFingerprint ? [this.hostKeyFingerprint] : []), ...keys])];
  }

  open(argv: Argv, terminal?: Terminal): Promise<RemoteStream> {
    this.#ensureAlive();
    return new Promise((resolve, reject) => {
      this.client.exec(quoteArgv(argv), terminal ? { pty: { term: terminal.term, rows: terminal.rows, cols: terminal.cols } } : {}, (error, channel) =>
        error ? reject(new ConnectionError(`${this.target}: cannot start a remote command: ${error.message}`, { cause: error })) : resolve(channel as unknown as RemoteStream),
      );
    });
  }

  forward(address: string, port: number): Promise<NodeJS.ReadWriteStream> {
    this.#ensureAlive();
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, address, port, (error, channel) => {
        if (error) return reject(new ConnectionError(`${this.target}: cannot reach ${address}:${port} on the host: ${error.message}`, { cause: error }));
        // ssh2 leaves a channel open when its connection dies: end it with the connection.
        const onLost = () => channel.destroy();
        this.client.once('close', onLost);
        channel.once('close', () => this.client.removeListener('close', onLost));
        resolve(channel);
      });
    });
  }

  async upload(path: string, content: string | Buffer, mode: number): Promise<void> {
    this.#ensureAlive();
    const sftp = await this.#openSftp();
    try {
      await sftpUpload(sftp, path, typeof content === 'string' ? Buffer.from(content) : content, mode);
    } catch (error) {
      throw new ConnectionError(`${this.target}: upload of ${path} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Ends the connection politely, but never waits more than `graceMs` for the host's answer: a VM that was
   * just destroyed never answers, and its connection must not keep kamal-dev from exiting.
   */
  async close(graceMs = 2_000): Promise<void> {
    if (!this.alive) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#lost ??= new Error('connection closed');
        // ssh2's destroy() skips a socket that end() has already half-closed, which then waits for the
        // vanished peer for as long as TCP retries (minutes): destroy the socket itself.
        (this.client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
        resolve();
      }, graceMs);
      this.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
  }

  #openSftp(): Promise<SFTPWrapper> {
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)));
    }).catch((error: Error) => {
      this.#sftp = undefined;
      throw new ConnectionError(`${this.target}: cannot open an SFTP session: ${error.message}`, { cause: error });
    });
    return this.#sftp;
  }

  #ensureAlive(): void {
    if (this.#lost) {
      throw new ConnectionError(`${this.target}: the SSH connection was lost: ${this.#lost.message}`, { cause: this.#lost });
    }
  }
}

function escapeQuotes(text: string): string {
  return text.replaceAll("'", `'\\''`);
}
