import { ConnectionError } from '../lib/errors.js';
import { fingerprint } from '../lib/ssh-host-key.js';

export { fingerprint };

/** `ssh-ed25519 AAAA…`: the blob starts with its type as an SSH string (RFC 4253 §6.6). */
export function publicKeyText(keyBlob: Buffer): string {
  const length = keyBlob.length >= 4 ? keyBlob.readUInt32BE(0) : 0;
  return `${keyBlob.subarray(4, 4 + length).toString('ascii')} ${keyBlob.toString('base64')}`;
}

/** The server presented a host key other than the pinned one: never retried. */
export class HostKeyMismatchError extends ConnectionError {
  override name = 'HostKeyMismatchError';
}

/**
 * Records the host key a handshake presents and, when one is pinned, refuses any other. Without a pinned key,
 * `known` (the user's known_hosts keys for the host) is the set of keys accepted, when it is not empty.
 */
export class HostKeyCheck {
  seen: string | undefined;
  /** The key itself as a known_hosts line has it: `<type> <base64>`. */
  publicKey: string | undefined;

  constructor(
    private readonly pinned: string | undefined,
    private readonly known: readonly string[] = [],
  ) {}

  readonly verify = (keyBlob: Buffer): boolean => {
    this.seen = fingerprint(keyBlob);
    this.publicKey = publicKeyText(keyBlob);
    return this.#accepted(this.seen);
  };

  #accepted(key: string): boolean {
    if (this.pinned !== undefined) return key === this.pinned;
    return this.known.length === 0 || this.known.includes(key);
  }

  /** The error for a refused key, or undefined when the key was accepted (or never seen). */
  mismatch(target: string): HostKeyMismatchError | undefined {
    if (this.seen === undefined || this.#accepted(this.seen)) return undefined;
    if (this.pinned === undefined) {
      return new HostKeyMismatchError(
        `${target}: host key not in ~/.ssh/known_hosts: known ${this.known.join(', ')}, server presented ${this.seen}; refusing to connect`,
        { hint: 'If the host was really reinstalled, update its line in ~/.ssh/known_hosts (ssh-keygen -R HOST); otherwise something is intercepting the connection.' },
      );
    }
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
