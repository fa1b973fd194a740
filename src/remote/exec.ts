import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel, ExecOptions } from 'ssh2';
import { CancelledError, ConnectionError } from '../lib/errors.js';
import type { ExecResult, RunOptions } from './executor.js';

/** The connection went away while a command ran: the executor holding it must not be used again. */
export class ConnectionLostError extends ConnectionError {
  override name = 'ConnectionLostError';
}

/** Exit code for a remote command ended by a signal (`SIGTERM`), as a shell reports it (128 + number). */
export function signalExitCode(signalName: string): number {
  const name = signalName.startsWith('SIG') ? signalName : `SIG${signalName}`;
  const number = (constants.signals as Record<string, number | undefined>)[name];
  return number === undefined ? 255 : 128 + number;
}

/**
 * Runs one already-quoted command line on an open connection. Output is collected as Buffers and decoded
 * once at the end (multi-byte characters split across packets stay intact); `onOutput` sees decoded chunks.
 */
export function execOnClient(client: Client, target: string, command: string, options: RunOptions = {}): Promise<ExecResult> {
  const { signal, onOutput } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    client.exec(command, execOptions(options), (error, channel) => {
      if (error) {
        reject(new ConnectionError(`${target}: cannot start a remote command: ${error.message}`, { cause: error }));
        return;
      }
      collect(channel, target, options, onOutput).then(resolve, reject);
    });
  });
}

/** ssh2 asks for agent forwarding on this one channel with `agentForward` (missing from @types/ssh2's ExecOptions). */
function execOptions(options: RunOptions): ExecOptions {
  const forwarding: ExecOptions & { agentForward?: boolean } = options.forwardAgent ? { agentForward: true } : {};
  return forwarding;
}

function collect(
  channel: ClientChannel,
  target: string,
  options: RunOptions,
  onOutput: RunOptions['onOutput'],
): Promise<ExecResult> {
  const { signal, stdin } = options;
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    let exitCode: number | undefined;

    const take = (stream: 'stdout' | 'stderr', into: Buffer[]) => (chunk: Buffer) => {
      into.push(chunk);
      if (!onOutput) return;
      const text = decoders[stream].write(chunk);
      if (text) onOutput(text, stream);
    };
    const onAbort = () => {
      killRemote(channel);
      channel.close();
      reject(new CancelledError());
    };

    channel.on('data', take('stdout', stdout));
    channel.stderr.on('data', take('stderr', stderr));
    channel.on('exit', (code: number | null, signalName?: string) => {
      exitCode = code ?? signalExitCode(signalName ?? '');
    });
    channel.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return;
      if (exitCode === undefined) {
        return reject(new ConnectionLostError(`${target}: the connection ended before the remote command finished`));
      }
      for (const [stream, decoder] of Object.entries(decoders) as ['stdout' | 'stderr', StringDecoder][]) {
        const rest = decoder.end();
        if (rest && onOutput) onOutput(rest, stream);
      }
      resolve({
        exitCode,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (stdin === undefined) channel.end();
    else channel.end(stdin);
  });
}

interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(id: number, name: string): void } };
}

/**
 * Asks sshd to SIGKILL the remote command's process group ("signal" channel request, OpenSSH >= 7.9).
 * ssh2's public `channel.signal()` stays silent once stdin is closed, which every command here does at once,
 * so the request goes through the protocol object the public method itself uses. OpenSSH refuses it for
 * sessions without privilege separation (root logins); there closing the channel is what ends the command:
 * its next write to the closed pipes kills it with SIGPIPE.
 */
function killRemote(channel: ClientChannel): void {
  const internals = channel as unknown as ChannelInternals;
  const outgoing = internals.outgoing;
  if (outgoing?.state !== 'open' && outgoing?.state !== 'eof') return;
  try {
    internals._client?._protocol?.signal(outgoing.id, 'KILL');
  } catch {
    // the connection is going away; closing the channel is all that is left to do
  }
}
