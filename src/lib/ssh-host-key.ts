import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Secret } from './secret.js';

/** The fingerprint `ssh-keygen -lf` prints for a public key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** An SSH wire string: uint32 length, then the bytes. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export interface HostKeyPair {
  /** `ssh-ed25519 AAAA… <comment>`, as in an sshd `.pub` file. */
  publicKey: string;
  fingerprint: string;
  /** The private key in OpenSSH's format (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted. */
  privateKey: Secret;
}

/**
 * A new ed25519 host key pair, made on this machine so that the VM's first SSH connection can be checked against
 * it (docs/architecture.md#host-keys). The private half is only ever a Secret.
 */
export function generateHostKey(comment = 'kamal-dev'): HostKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  // PROTOCOL.key of OpenSSH: two equal check words, the key, its comment, then padding 1, 2, 3... to 8 bytes.
  const check = randomBytes(4);
  let secret = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const padding = Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1));
  secret = Buffer.concat([secret, padding]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    Buffer.from([0, 0, 0, 1]),
    sshString(blob),
    sshString(secret),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
    fingerprint: fingerprint(blob),
    privateKey: new Secret(`-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`),
  };
}

/** The fingerprint of a `.pub` line (`ssh-ed25519 AAAA… comment`); undefined when it is not one. */
export function publicKeyFingerprint(line: string): string | undefined {
  const blob = line.trim().split(/\s+/)[1];
  if (!blob || !/^[A-Za-z0-9+/]+=*$/.test(blob)) return undefined;
  return fingerprint(Buffer.from(blob, 'base64'));
}
