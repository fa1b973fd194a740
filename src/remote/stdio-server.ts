import { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { RemoteStream, Terminal } from './executor.js';
import { publicKeyText } from './host-key.js';

export interface StdioServerOptions {
  /** OpenSSH-format private host key; its public half is what the client's known_hosts holds. */
  hostKey: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Starts what a session asked for: `command` (undefined: a shell), with a terminal when one was requested. */
  start(command: string | undefined, terminal: Terminal | undefined): Promise<RemoteStream>;
}

/** A new ed25519 host key for the stdio server, OpenSSH format: `{ private, public }` (`ssh-ed25519 AAAA…`). */
export function newHostKey(): { private: string; public: string } {
  const pair = ssh2.utils.generateKeyPairSync('ed25519');
  return { private: pair.private, public: pair.public.trim().split(' ').slice(0, 2).join(' ') };
}

/** The `ssh-ed25519 AAAA…` of a private host key. */
export function publicKeyOf(privateKey: string): string {
  const key = ssh2.utils.parseKey(privateKey);
  if (key instanceof Error) throw key;
  return publicKeyText((Array.isArray(key) ? key[0] : key).getPublicSSH());
}

/**
 * An SSH server on stdin/stdout, for OpenSSH's ProxyCommand: exec and shell requests become remote commands
 * whose streams, exit code and window size are bridged to the session. Any client authentication is accepted:
 * the only client is the process that started this one, over its own pipes (docs/commands.md#ssh-config).
 * Resolves when the client goes away.
 */
export function serveSshOnStdio(o: StdioServerOptions): Promise<void> {
  return new Promise((resolve) => {
    const server = new ssh2.Server({ hostKeys: [o.hostKey] }, (client) => {
      client.on('authentication', (auth) => auth.accept());
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        let terminal: Terminal | undefined;
        let remote: RemoteStream | undefined;
        session.on('pty', (accept, _reject, info) => {
          terminal = { term: info.term || 'xterm', rows: info.rows, cols: info.cols };
          accept?.();
        });
        session.on('window-change', (accept, _reject, info) => {
          remote?.setWindow(info.rows, info.cols, info.height, info.width);
          accept?.();
        });
        session.on('env', (accept) => accept?.());
        const bridge = (channel: ssh2.ServerChannel, command: string | undefined) => {
          o.start(command, terminal).then(
            (stream) => {
              remote = stream;
              channel.pipe(stream);
              stream.pipe(channel, { end: false });
              stream.stderr.pipe(channel.stderr, { end: false });
              stream.on('exit', (code, signal) => {
                if (code !== null) channel.exit(code);
                else channel.exit(signal ?? 'KILL', false, '');
              });
              stream.on('close', () => channel.end());
            },
            (error: Error) => {
              channel.stderr.write(`kamal-dev: ${error.message}\n`);
              channel.exit(255);
              channel.end();
            },
          );
        };
        session.on('exec', (accept, _reject, info) => bridge(accept(), info.command));
        session.on('shell', (accept) => bridge(accept(), undefined));
      });
      client.on('close', () => resolve());
      client.on('error', () => resolve());
    });
    server.injectSocket(Duplex.from({ readable: o.input, writable: o.output }) as never);
  });
}
