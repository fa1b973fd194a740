import { createHash } from 'node:crypto';
import { ProviderError } from '../../lib/errors.js';
import type { HetznerApi } from './api.js';
import { parseApiError, toAppError } from './api-error.js';
import { parseResponse } from './api.js';
import { SshKeyResponse } from './schemas.js';

/** The MD5 fingerprint Hetzner keys SSH keys by: MD5 of the key blob, lower-case hex pairs joined by `:`. */
export function md5Fingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1];
  if (blob === undefined || !/^[A-Za-z0-9+/]+=*$/.test(blob)) throw new ProviderError('the SSH public key is not an OpenSSH public key line ("TYPE BASE64 [COMMENT]")');
  const hex = createHash('md5').update(Buffer.from(blob, 'base64')).digest('hex');
  return hex.match(/../g)!.join(':');
}

/**
 * The ID of the project's SSH key resource for `publicKey`: the one with its fingerprint when it exists,
 * else a new one named by the fingerprint. A create that meets `uniqueness_error` (made meanwhile, or by a
 * create whose answer was lost) looks it up again.
 */
export async function ensureSshKey(api: HetznerApi, publicKey: string, signal?: AbortSignal): Promise<number> {
  const fingerprint = md5Fingerprint(publicKey);
  const existing = await api.sshKeysByFingerprint(fingerprint, signal);
  if (existing[0]) return existing[0].id;
  const response = await api.send('POST', '/ssh_keys', { name: `kamal-dev-${fingerprint.replaceAll(':', '')}`, public_key: publicKey.trim() }, signal, true);
  if (response.status === 201 || response.status === 200) return parseResponse(response, SshKeyResponse, 'create SSH key').ssh_key.id;
  if (response.status === 409 || response.status >= 500 || parseApiError(response).code === 'uniqueness_error') {
    const again = await api.sshKeysByFingerprint(fingerprint, signal);
    if (again[0]) return again[0].id;
  }
  throw toAppError(response, 'create the SSH key resource');
}
