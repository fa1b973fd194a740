import { ConnectionError } from '../lib/errors.js';
import { fingerprint } from '../lib/ssh-host-key.js';

export { fingerprint };

/** The server presented a host key other than the pinned one: never retried. */
export class HostKeyMismatchError extends ConnectionError {
  override name = 'HostKeyMismatchError';
}

/** Records the host key a handshake presents and, when one is pinned, refuses any other. */
export class HostKeyCheck {
  seen: string | undefined;

  constructor(private readonly pinned: string | undefined) {}

  readonly verify = (keyBlob: Buffer): boolean => {
    this.seen = fingerprint(keyBlob);
    return this.pinned === undefined || this.seen === this.pinned;
  };

  /** The error for a refused key, or undefined when the key was accepted (or never seen). */
  mismatch(target: string): HostKeyMismatchError | undefined {
    if (this.pinned === undefined || this.seen === undefined || this.seen === this.pinned) return undefined;
    return new HostKeyMismatchError(
      `${target}: host key changed: pinned ${this.pinned}, server presented ${this.seen}; refusing to connect`,
      {
        hint:
          'If the VM was really rebuilt, remove the workspace (kamal-dev remove) or edit its host_key in ' +
          '.kamal/dev_state.yml; otherwise something is intercepting the connection.',
      },
    );
  }
}
