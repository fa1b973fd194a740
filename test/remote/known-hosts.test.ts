import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeyMismatchError, fingerprint } from '../../src/remote/host-key.js';
import { knownHostKeys } from '../../src/remote/known-hosts.js';
import { connectSsh } from '../../src/remote/ssh-executor.js';
import { sshConnector } from '../../src/cli/connector.js';
import { describeIf, hasCommand, isRoot } from '../helpers/requirements.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIIccHCW76xx2rrPAUrjnuT6IjpEF1O+/U4IByVgv99Oi';
const RSA = 'AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7';
const fp = (b64: string) => fingerprint(Buffer.from(b64, 'base64'));
const hashed = (name: string, salt = Buffer.from('0123456789abcdef0123')) =>
  `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;

describe('known_hosts', () => {
  it('finds plain, [host]:port, hashed and wildcard entries, every key type of the host', () => {
    const text = [
      '# comment',
      `10.0.0.5,box.example ssh-ed25519 ${ED}`,
      `box.example ssh-rsa ${RSA}`,
      `[10.0.0.7]:2222 ssh-ed25519 ${ED}`,
      `${hashed('10.0.0.9')} ssh-rsa ${RSA}`,
      `*.lab.example,!secret.lab.example ssh-ed25519 ${ED}`,
      `@revoked 10.0.0.5 ssh-rsa ${RSA}`,
    ].join('\n');
    expect(knownHostKeys(text, '10.0.0.5', 22)).toEqual([fp(ED)]);
    expect(knownHostKeys(text, 'box.example', 22)).toEqual([fp(ED), fp(RSA)]);
    expect(knownHostKeys(text, '10.0.0.7', 2222)).toEqual([fp(ED)]);
    expect(knownHostKeys(text, '10.0.0.7', 22)).toEqual([]);
    expect(knownHostKeys(text, '10.0.0.9', 22)).toEqual([fp(RSA)]);
    expect(knownHostKeys(text, 'a.lab.example', 22)).toEqual([fp(ED)]);
    expect(knownHostKeys(text, 'secret.lab.example', 22)).toEqual([]);
  });
});

describeIf({ root: isRoot(), sshd: hasCommand('/usr/sbin/sshd') }, 'own hosts: the host key is taken from known_hosts when none is pinned', () => {
  let sshd: Sshd;
  let hostLine: string;
  beforeAll(async () => {
    sshd = await startSshd();
    hostLine = readFileSync(path.join(sshd.dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  });
  afterAll(() => sshd?.stop());

  const target = () => ({ host: sshd.host, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath });

  it('connects when the presented key is the known one, and refuses another naming both', async () => {
    const { executor, hostKey } = await connectSsh({ ...target(), knownHostKeys: [sshd.hostKeyFingerprint] });
    await executor.close();
    expect(hostKey).toBe(sshd.hostKeyFingerprint);
    const error = (await connectSsh({ ...target(), knownHostKeys: [fp(ED)] }).catch((e: unknown) => e)) as HostKeyMismatchError;
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(error.message).toBe(`127.0.0.1:${sshd.port}: host key not in ~/.ssh/known_hosts: known ${fp(ED)}, server presented ${sshd.hostKeyFingerprint}; refusing to connect`);
  });

  it('the connector consults known_hosts for own hosts only, never for a pinned key or a new VM', async () => {
    const text = `[127.0.0.1]:${sshd.port} ${hostLine}\n`;
    const seen: string[] = [];
    const connector = (targets: Record<string, { port?: number }>, known: string) =>
      sshConnector({
        user: sshd.user,
        port: sshd.port,
        targets,
        knownHosts: (host, port) => {
          seen.push(`${host}:${port}`);
          return knownHostKeys(known, host, port);
        },
        privateKeyPath: sshd.clientKeyPath,
        agent: undefined,
        secrets: [],
      });
    const signal = new AbortController().signal;
    const own = connector({ '127.0.0.1': { port: sshd.port } }, text);
    expect((await own.connect('127.0.0.1', undefined, { signal, timeoutMs: 10_000 })).hostKey).toBe(sshd.hostKeyFingerprint);
    await own.closeAll();
    expect(seen).toEqual([`127.0.0.1:${sshd.port}`]);
    const wrong = connector({ '127.0.0.1': { port: sshd.port } }, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${ED}\n`);
    await expect(wrong.connect('127.0.0.1', undefined, { signal, timeoutMs: 10_000 })).rejects.toBeInstanceOf(HostKeyMismatchError);
    await wrong.closeAll();
    const vm = connector({}, `[127.0.0.1]:${sshd.port} ssh-ed25519 ${ED}\n`);
    await vm.connect('127.0.0.1', undefined, { signal, timeoutMs: 10_000 });
    await vm.closeAll();
    expect(seen).toHaveLength(2);
  });
});
