import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cloudConfig } from '../../src/deploy/cloud-config.js';
import { generateHostKey } from '../../src/lib/ssh-host-key.js';

const run = promisify(execFile);
const CLOUD_INIT = ['/usr/bin/cloud-init', '/usr/local/bin/cloud-init'].find((file) => existsSync(file));
const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-cloud-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the user_data of a new VM', () => {
  const hostKey = generateHostKey();
  const text = cloudConfig({ hostKey, sshUser: 'root', dockerInstallUrl: "https://get.docker.com/?a=1&b='x'" }).reveal();

  it('hands over the host key made here, removes the image keys, keeps root login and runs the Docker install', () => {
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    const config = parse(text) as Record<string, unknown>;
    expect(config).toEqual({
      ssh_deletekeys: true,
      ssh_keys: { ed25519_private: hostKey.privateKey.reveal(), ed25519_public: hostKey.publicKey },
      disable_root: false,
      runcmd: [['sh', '-c', "curl -fsSL 'https://get.docker.com/?a=1&b='\\''x'\\''' | sh"]],
    });
    const plain = parse(cloudConfig({ hostKey, sshUser: 'deploy' }).reveal()) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['ssh_deletekeys', 'ssh_keys']);
  });

  it('prints as [REDACTED]: the private key never reaches a log or an error by accident', () => {
    const secret = cloudConfig({ hostKey, sshUser: 'root' });
    expect(String(secret)).toBe('[REDACTED]');
    expect(JSON.stringify({ user_data: secret })).not.toContain('PRIVATE KEY');
  });

  it.skipIf(!CLOUD_INIT)("is valid cloud-config for Debian's cloud-init (`cloud-init schema --config-file`)", async () => {
    for (const [name, body] of [
      ['with-docker.yml', text],
      ['without-docker.yml', cloudConfig({ hostKey, sshUser: 'deploy' }).reveal()],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, body, { mode: 0o600 });
      const { stdout } = await run(CLOUD_INIT!, ['schema', '--config-file', file]);
      expect(stdout).toContain('Valid cloud-config');
    }
    // and the validator does refuse a broken one, so the check above means something
    const broken = path.join(dir, 'broken.yml');
    writeFileSync(broken, `${text}ssh_genkeytypes: [ed25519, foo]\n`);
    await expect(run(CLOUD_INIT!, ['schema', '--config-file', broken])).rejects.toThrow();
  });
});
