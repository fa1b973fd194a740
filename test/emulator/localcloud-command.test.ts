import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createBody } from './client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../localcloud/main.ts', import.meta.url));

const launched: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  // Only the children this file started, in case a test failed before stopping its own.
  for (const child of launched.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function launch(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  launched.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => {
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    };
    child.stdout.on('data', check);
    void exited.then(([code]) => reject(new Error(`exited ${code} before ready: ${stderr}`)));
  });
  firstLine.catch(() => {}); // awaited only by the tests that expect a ready line
  return { child, firstLine, exited, out: () => stdout, err: () => stderr };
}

describe('npm run localcloud', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints one JSON line when ready, serves both APIs, and on %s removes their servers and exits 0', async (signal) => {
    const run = launch(['--backend', 'none', '--boot-delay-ms', '50', '--seed', '9']);
    const ready = JSON.parse(await run.firstLine) as { api_url: string; username: string; password: string; hetzner_api_url: string; hetzner_token: string };
    expect(Object.keys(ready).sort()).toEqual(['api_url', 'hetzner_api_url', 'hetzner_token', 'password', 'username']);
    expect(ready.api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/1\.3$/);
    expect(ready.hetzner_api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(ready.hetzner_token).toMatch(/^[0-9a-f]{64}$/);
    const bearer = { authorization: `Bearer ${ready.hetzner_token}` };
    const key = await fetch(`${ready.hetzner_api_url}/ssh_keys`, { method: 'POST', headers: bearer, body: JSON.stringify({ name: 'k', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIccHCW76xx2rrPAUrjnuT6IjpEF1O+/U4IByVgv99Oi' }) });
    expect(key.status).toBe(201);
    const hetznerServer = await fetch(`${ready.hetzner_api_url}/servers`, { method: 'POST', headers: bearer, body: JSON.stringify({ name: 'h-1', server_type: 'cx22', image: 'ubuntu-24.04', location: 'fsn1' }) });
    expect(hetznerServer.status).toBe(201);
    const auth = `Basic ${Buffer.from(`${ready.username}:${ready.password}`).toString('base64')}`;
    const created = await fetch(`${ready.api_url}/server`, { method: 'POST', headers: { Authorization: auth }, body: JSON.stringify(createBody()) });
    expect(created.status).toBe(202);
    const stats = (await (await fetch(`${ready.api_url.replace(/\/1\.3$/, '')}/_localcloud/stats`)).json()) as { live_servers: number };
    expect(stats.live_servers).toBe(1);

    run.child.kill(signal);
    const [code] = await run.exited;
    expect(code, run.err()).toBe(0);
    expect(run.out().trim().split('\n')).toHaveLength(1);
    expect(run.err()).toContain(`${signal}: removing 2 server(s)`);
    expect(run.err()).toContain('stopped');
    await expect(fetch(`${ready.api_url}/zone`)).rejects.toThrow();
  });

  it.each([
    [['--backend', 'cloud9'], '--backend must be none or netns'],
    [['--fault-rate', '1.5'], '--fault-rate must be a number from 0 to 1'],
    [['--port', 'eighty'], '--port must be an integer'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('rejects %j with exit 2 and a clear message', async (args, message) => {
    const run = launch(args);
    const [code] = await run.exited;
    expect(code).toBe(2);
    expect(run.err()).toContain(message);
    expect(run.out()).toBe('');
  });
});
