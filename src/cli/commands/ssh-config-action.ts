import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../../config/load.js';
import type { AttachTarget } from '../../deploy/exec.js';
import { runEach } from '../../deploy/runner.js';
import { CONNECT_TIMEOUT_MS } from '../../deploy/timeouts.js';
import { quote, quoteArgv } from '../../remote/quote.js';
import { newHostKey, publicKeyOf } from '../../remote/stdio-server.js';
import type { Context } from '../context.js';
import { hostAlias, knownHostsPath, recordHostKey, stdioHostKeyPath, vmAlias } from '../known-hosts.js';
import { failIfAny, withSession } from '../session.js';
import { runningTargets, type Targets } from '../targets.js';

/** The package's bin/kamal-dev.js, looked for upwards from this file (which runs from src/ or bundled in dist/chunks/). */
function binPath(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'bin', 'kamal-dev.js');
    if (existsSync(bin)) return bin;
    if (path.dirname(dir) === dir) throw new Error(`bin/kamal-dev.js not found above ${fileURLToPath(import.meta.url)}`);
  }
}

/** OpenSSH reads `%` in ProxyCommand as a token. */
const literal = (text: string) => text.replaceAll('%', '%%');

function hostBlock(alias: string, lines: readonly [string, string][]): string {
  return [`Host ${alias}`, ...lines.map(([key, value]) => `  ${key} ${value}`)].join('\n');
}

/** The two hosts of one workspace (docs/commands.md#ssh-config). */
function entries(ctx: Context, config: LoadedConfig, target: AttachTarget, knownHosts: string): string {
  const { ssh } = config.config;
  const common: [string, string][] = [
    ['IdentityFile', quote(config.privateKeyPath)],
    ['IdentitiesOnly', 'yes'],
    ['UserKnownHostsFile', quote(knownHosts)],
    ['StrictHostKeyChecking', 'yes'],
  ];
  const proxy = quoteArgv(['/bin/sh', '-c', `cd ${quote(ctx.cwd)} && exec ${quoteArgv([process.execPath, binPath(), '-c', path.resolve(ctx.cwd, ctx.globals.config), '--progress', 'plain', '-q', 'ssh', target.name, '--stdio'])}`]);
  return [
    hostBlock(hostAlias(target.name), [
      ['HostName', hostAlias(target.name)],
      // The stdio server ignores it: sessions run as remoteUser in the container.
      ['User', ssh.user],
      ['Port', '22'],
      ...common,
      ['HostKeyAlias', hostAlias(target.name)],
      ['ProxyCommand', literal(proxy)],
    ]),
    hostBlock(vmAlias(target.name), [
      ['HostName', target.entry.vm_ip ?? '-'],
      ['User', ssh.user],
      ['Port', String(ssh.port)],
      ...common,
      ['HostKeyAlias', vmAlias(target.name)],
    ]),
  ].join('\n');
}

async function select(ctx: Context, names: readonly string[]): Promise<Targets> {
  if (names.length === 0) return runningTargets(ctx, 'ssh-config', { all: true });
  const picked = await Promise.all(names.map((name) => runningTargets(ctx, 'ssh-config', { name })));
  return { targets: picked.flatMap((p) => p.targets), skipped: [] };
}

/**
 * `ssh-config`'s action: each VM's host key, read over a connection the deploy's pin allowed, goes into
 * `.kamal/known_hosts` with the stdio server's key, then the hosts are printed.
 */
export async function sshConfigAction(ctx: Context, names: readonly string[]): Promise<void> {
  const { targets, skipped } = await select(ctx, names);
  for (const s of skipped) ctx.log.warn(`${s.name}: skipped (${s.status})`);
  const config = await ctx.loadConfig();
  const knownHosts = knownHostsPath(ctx.cwd);
  const keyFile = stdioHostKeyPath(ctx.cwd);
  const stdioKey = existsSync(keyFile) ? undefined : newHostKey();
  await withSession(ctx, async ({ deps }) => {
    const keys = await runEach(targets, deps, {
      run: async (t) => {
        const { executor } = await deps.connector.connect(t.entry.vm_ip ?? '', t.entry.host_key, { signal: deps.signal, timeoutMs: CONNECT_TIMEOUT_MS.attach });
        return { name: t.name, key: executor.hostPublicKey, error: undefined as string | undefined };
      },
      failed: (t, failure) => ({ name: t.name, key: undefined, error: failure.message }),
    });
    ctx.endProgress();
    if (stdioKey) {
      mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
      writeFileSync(keyFile, stdioKey.private, { mode: 0o600 });
    }
    const stdioPublic = stdioKey?.public ?? publicKeyOf(readFileSync(keyFile, 'utf8'));
    const recorded = new Map<string, string>();
    for (const k of keys) {
      if (k.key) recorded.set(vmAlias(k.name), k.key).set(hostAlias(k.name), stdioPublic);
      else ctx.log.error(`${k.name}: ${k.error ?? 'no host key'}`);
    }
    recordHostKey(knownHosts, recorded);
    ctx.out(`# kamal-dev ssh-config: ${config.config.service}. Include this file at the TOP of ~/.ssh/config (docs/commands.md#ssh-config).\n`);
    ctx.out(targets.filter((t) => recorded.has(vmAlias(t.name))).map((t) => entries(ctx, config, t, knownHosts)).join('\n\n'));
    failIfAny(keys.filter((k) => !k.key).map((k) => k.name), keys.length, 'could not be reached');
  });
}
