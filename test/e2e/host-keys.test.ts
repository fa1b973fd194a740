import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { publicKeyFingerprint } from '../../src/lib/ssh-host-key.js';
import { describeIf } from '../helpers/requirements.js';
import { instanceNames } from '../localcloud/netns/names.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

/** The fingerprint of the ed25519 host key that `ip` presents now. */
function presented(ip: string): string {
  const scan = execFileSync('ssh-keyscan', ['-t', 'ed25519', ip], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return publicKeyFingerprint(scan.trim().split(' ').slice(1).join(' '))!;
}

/** `Accepted publickey` lines of the sshd of the netns VM at `ip`: logins that got past the host key check. */
function logins(ip: string): number {
  const [, , k, host] = ip.split('.').map(Number);
  const log = readFileSync(`${instanceNames(k!).dir}/vm${host}/ssh/sshd.log`, 'utf8');
  return log.split('\n').filter((line) => line.includes('Accepted publickey')).length;
}

describeIf(requirements(), 'host keys handed to the VM at creation (user_data), end to end on the local cloud', () => {
  let cloud: LocalCloud;
  let project: Project;
  let native: Project | undefined;

  beforeAll(async () => {
    cloud = await startLocalCloud();
    project = e2eProject(cloud);
  }, 120_000);

  afterAll(async () => {
    await project?.run(['remove', '--all', '--force']);
    await native?.run(['remove', '--all', '--force']);
    await cloud?.close();
  }, 120_000);

  /** The emulator's request log, oldest first (GET /_localcloud/requests). */
  const requestLog = async () => ((await (await fetch(`${cloud.controlUrl}/_localcloud/requests`)).json()) as { requests: Array<{ method: string; path: string; body?: unknown }> }).requests;

  /** What the create of `workspace` sent as user_data, parsed. */
  const userDataOf = async (workspace: string) => {
    const create = (await requestLog()).find((r) => r.method === 'POST' && r.path === '/1.3/server' && JSON.stringify(r.body).includes(`"${workspace}"`));
    const text = (create?.body as { server: { user_data: string } }).server.user_data;
    return { text, config: parse(text) as { ssh_keys: { ed25519_public: string; ed25519_private: string }; runcmd: string[][] } };
  };

  it('the first connection is verified against the key made here; then the VM gets a key of its own, pinned; Docker came from cloud-init', async () => {
    const deploy = await project.run(['--progress', 'json', 'deploy', '--yes']);
    expect(deploy.code, deploy.stderr).toBe(0);
    const entry = (JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string; host_key: string }>)['e2e-dev-1']!;
    const { text, config } = await userDataOf('e2e-dev-1');
    const handed = publicKeyFingerprint(config.ssh_keys.ed25519_public)!;
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    // the key of user_data (which the metadata service keeps serving) opens nothing any more
    expect(presented(entry.vm_ip)).not.toBe(handed);
    expect(entry.host_key).toBe(presented(entry.vm_ip));
    expect(project.state()).not.toContain('host_key_source'); // replaced: nothing left to do
    const steps = deploy.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { step?: string }).step);
    expect(steps).toContain('ssh.rekey');
    expect(steps).not.toContain('docker.install'); // the runcmd of user_data installed it during the boot
    expect(logins(entry.vm_ip)).toBe(1);
    // the private host key is in no output and not in the state
    const privateBody = config.ssh_keys.ed25519_private.split('\n')[1]!;
    expect(`${deploy.stdout}${deploy.stderr}${project.state()}`).not.toContain(privateBody);
    // a second deploy connects with the new pin, and finds everything in place
    const again = await project.run(['deploy', '--yes']);
    expect(again.code, again.stderr).toBe(0);
  }, 240_000);

  it('a VM presenting a host key other than the one handed to it is refused at the first connection: no login, exit 1', async () => {
    await cloud.nextServers({ count: 1, docker: false, ssh: true, own_host_key: true });
    const deploy = await project.run(['deploy', '--count', '2', '--yes']);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(/e2e-dev-2: .*host key changed: pinned SHA256:\S+, server presented SHA256:\S+; refusing to connect/);
    const entry = (JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string; host_key: string; status: string; host_key_source?: string }>)['e2e-dev-2']!;
    expect(entry.status).toBe('failed');
    expect(entry.host_key_source).toBe('user_data'); // a later deploy checks the handed key again, and replaces it once it is shown
    expect(entry.host_key).toBe(publicKeyFingerprint((await userDataOf('e2e-dev-2')).config.ssh_keys.ed25519_public));
    expect(presented(entry.vm_ip)).not.toBe(entry.host_key);
    expect(logins(entry.vm_ip)).toBe(0); // refused before authenticating
  }, 240_000);

  it('on a template without cloud-init: no user_data, the first key seen is pinned, Docker is installed over SSH', async () => {
    native = e2eProject(cloud);
    const file = path.join(native.dir, 'config/dev.yml');
    // Debian 11, a `native` template of UpCloud's: it would ignore user_data
    writeFileSync(file, readFileSync(file, 'utf8').replace('  plan: 1xCPU-2GB\n', '  plan: 1xCPU-2GB\n  storage_template: 01000000-0000-4000-8000-000020060100\n'));
    const deploy = await native.run(['deploy', '--yes']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toContain('installing Docker');
    expect(deploy.stderr).not.toContain('replacing the handed host key');
    const entry = (JSON.parse((await native.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string; vm_id: string; host_key: string }>)['e2e-dev-1']!;
    const create = (await requestLog()).find((r) => r.method === 'POST' && r.path === '/1.3/server' && JSON.stringify(r.body).includes('000020060100'));
    expect(create?.body).not.toHaveProperty('server.user_data');
    expect(entry.host_key).toBe(presented(entry.vm_ip));
  }, 240_000);
});
