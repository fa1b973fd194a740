import { createHash } from 'node:crypto';
import { ApiError } from '../emulator/http-reply.js';
import { timestamp } from './actions.js';

export interface SshKeyRecord {
  id: number;
  name: string;
  fingerprint: string;
  public_key: string;
  labels: Record<string, string>;
  created: string;
}

function fingerprintOf(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1] ?? '';
  if (!/^[A-Za-z0-9+/]{16,}=*$/.test(blob)) throw new ApiError(422, 'invalid_input', 'invalid input in field \'public_key\'');
  return createHash('md5').update(Buffer.from(blob, 'base64')).digest('hex').match(/../g)!.join(':');
}

/** The project's SSH keys: name and fingerprint unique, each a 409 `uniqueness_error` naming its field. */
export class SshKeyTable {
  readonly #keys: SshKeyRecord[] = [];
  #next = 3_000_000;

  create(name: unknown, publicKey: unknown, labels: Record<string, string>): SshKeyRecord {
    if (typeof name !== 'string' || name === '') throw new ApiError(422, 'invalid_input', "invalid input in field 'name'");
    if (typeof publicKey !== 'string') throw new ApiError(422, 'invalid_input', "invalid input in field 'public_key'");
    const fingerprint = fingerprintOf(publicKey);
    if (this.#keys.some((k) => k.fingerprint === fingerprint)) throw uniqueness('SSH key with the same fingerprint already exists', 'public_key');
    if (this.#keys.some((k) => k.name === name)) throw uniqueness('SSH key name is already used', 'name');
    const key = { id: this.#next++, name, fingerprint, public_key: publicKey.trim(), labels, created: timestamp() };
    this.#keys.push(key);
    return key;
  }

  list(filter: { name?: string | null; fingerprint?: string | null }): SshKeyRecord[] {
    return this.#keys.filter((k) => (filter.name == null || k.name === filter.name) && (filter.fingerprint == null || k.fingerprint === filter.fingerprint));
  }

  /** An ID (number or numeric string) or a name, as `ssh_keys` of POST /servers may give. */
  resolve(ref: unknown): SshKeyRecord {
    const key = this.#keys.find((k) => k.id === Number(ref) || k.name === ref);
    if (!key) throw new ApiError(422, 'invalid_input', `ssh key not found: ${String(ref)}`);
    return key;
  }
}

function uniqueness(message: string, field: string): ApiError & { details: unknown } {
  return Object.assign(new ApiError(409, 'uniqueness_error', message), { details: { fields: [{ name: field }] } });
}
