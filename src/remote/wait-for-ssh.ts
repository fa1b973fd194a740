import { ConnectionError } from '../lib/errors.js';
import { backoffDelay, sleep } from '../lib/sleep.js';
import { HostKeyMismatchError } from './host-key.js';
import { connectSsh, describeTarget, type SshConnectOptions, type SshConnection } from './ssh-executor.js';

export interface WaitForSshOptions extends SshConnectOptions {
  /** Total time allowed, from the call, for the first successful connection. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/**
 * Connects to a machine that may still be booting: refused and reset connections, timeouts, failed handshakes
 * and rejected keys (cloud-init may not have installed ours yet) are retried with backoff (1 s growing to 5 s)
 * until the deadline, then reported once with the last cause. A changed host key is never retried.
 */
export async function waitForSsh(options: WaitForSshOptions): Promise<SshConnection> {
  const { deadlineMs = 300_000, signal } = options;
  const started = Date.now();
  const remaining = () => deadlineMs - (Date.now() - started);
  let last: ConnectionError | undefined;
  for (let attempt = 0; ; attempt++) {
    const readyTimeoutMs = Math.max(1, Math.min(options.readyTimeoutMs ?? 20_000, remaining()));
    try {
      return await connectSsh({ ...options, readyTimeoutMs }, signal);
    } catch (error) {
      if (!(error instanceof ConnectionError) || error instanceof HostKeyMismatchError) throw error;
      last = error;
    }
    const delay = Math.min(backoffDelay(attempt, 1_000, 5_000), remaining());
    if (delay <= 0) break;
    await sleep(delay, signal);
    if (remaining() <= 0) break;
  }
  const cause = last?.cause instanceof Error ? last.cause.message : last?.message;
  throw new ConnectionError(
    `${describeTarget(options)}: SSH did not come up within ${Math.round(deadlineMs / 1000)} s; last error: ${cause}`,
    {
      cause: last,
      hint: `Check that the VM is running, that port ${options.port ?? 22} is reachable and that ssh.key_path is a key it accepts.`,
    },
  );
}
