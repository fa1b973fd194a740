import { parseArgs } from 'node:util';
import type { VmBackend } from './backend.js';
import { startEmulator } from './emulator/emulator.js';
import { startHetznerEmulator } from './hetzner/emulator.js';
import { createNoneBackend } from './none-backend.js';
import { shareBackend } from './shared-backend.js';

/**
 * `npm run localcloud -- [--backend none|netns] [--port N] [--boot-delay-ms N] [--fault-rate F] [--seed S]`
 * Starts the UpCloud and the Hetzner emulators on one VM backend. Prints one JSON line with both APIs' URLs
 * and credentials when ready; logs go to stderr. On SIGINT/SIGTERM it destroys every server it created and exits 0.
 */
const USAGE = 'usage: npm run localcloud -- [--backend none|netns] [--port N] [--host H] [--boot-delay-ms N] [--fault-rate F] [--seed S]';

function log(line: string): void {
  process.stderr.write(`localcloud: ${line}\n`);
}

function fail(message: string): never {
  process.stderr.write(`localcloud: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function number(name: string, raw: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    fail(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

async function createBackend(name: string): Promise<VmBackend> {
  if (name === 'none') return createNoneBackend();
  if (name === 'netns') {
    // Loaded only when asked for: it needs root and the Debian packages of scripts/install-test-deps.sh.
    // The emulator already waits --boot-delay-ms before calling backend.start, so no delay is passed on.
    const modulePath = './netns/index.js';
    const loaded = (await import(modulePath).catch((e: unknown) => {
      throw new Error(`the netns backend (test/localcloud/netns/index.ts) could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    })) as { createNetnsBackend: (o: { bootDelayMs?: number; log?: (line: string) => void }) => Promise<VmBackend> };
    return loaded.createNetnsBackend({ log });
  }
  return fail(`--backend must be none or netns, got "${name}"`);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        backend: { type: 'string', default: 'none' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'boot-delay-ms': { type: 'string' },
        'fault-rate': { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const port = number('port', values.port, 0, 65535, true);
  const bootDelayMs = number('boot-delay-ms', values['boot-delay-ms'], 0, 3_600_000, true);
  const faultRate = number('fault-rate', values['fault-rate'], 0, 1, false);
  const seed = number('seed', values.seed, 0, 2 ** 32 - 1, true);
  const shared = shareBackend(await createBackend(values.backend));
  const backend = shared.backend;
  const options = { backend, host: values.host, bootDelayMs, faultRate, seed, log };
  // --port is the UpCloud emulator's; the Hetzner one takes the next port (or a free one).
  const started = await Promise.all([
    startEmulator({ ...options, port }),
    startHetznerEmulator({ ...options, port: port === undefined || port === 0 ? 0 : port + 1 }),
  ]).catch(async (e: unknown) => {
    await shared.close();
    throw e;
  });
  const [emulator, hetzner] = started;

  const ready: Record<string, unknown> = {
    api_url: emulator.apiUrl,
    username: emulator.username,
    password: emulator.password,
    hetzner_api_url: hetzner.apiUrl,
    hetzner_token: hetzner.token,
  };
  if (backend.dockerInstallUrl !== undefined) ready.docker_install_url = backend.dockerInstallUrl;
  if (backend.images !== undefined) ready.images = backend.images;
  if (backend.poweroffCommand !== undefined) ready.idle_poweroff = backend.poweroffCommand;
  if (backend.idleRunner !== undefined) ready.idle_runner = backend.idleRunner;
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: removing ${emulator.stats().live_servers + hetzner.stats().live_servers} server(s)`);
    Promise.all([emulator.close(), hetzner.close()]).then(() => shared.close()).then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        log(`cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  log(`failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
