import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The benchmark's resolution hook: every module the process resolves, as a `MODULE <url>` line on stderr. */
const TRACE = fileURLToPath(new URL('../../bench/lib/module-trace.mjs', import.meta.url));

const STATE = `deployments:
  myapp-dev-1:
    vm_id: "00ab"
    vm_ip: "198.18.0.9"
    container_name: myapp-dev-1
    status: running
`;

/** esbuild's map of the bundle (written by scripts/build.mjs): which sources and packages each file of dist/ holds. */
function bundleInputs(): Record<string, string[]> {
  const meta = JSON.parse(readFileSync(path.join(ROOT, 'dist/meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return Object.fromEntries(Object.entries(meta.outputs).map(([file, output]) => [file, Object.keys(output.inputs)]));
}

/**
 * Runs the built binary under the trace hook; the modules it loaded, relative to the repository: the sources
 * and packages inside each bundle file it loaded, the files it loaded from node_modules, and `node:x` builtins.
 */
async function traced(args: string[], cwd: string, home: string): Promise<{ result: CliResult; modules: string[] }> {
  const result = await runCli(args, { cwd, env: { HOME: home, NODE_OPTIONS: `--import=${pathToFileURL(TRACE).href}` } });
  const inputs = bundleInputs();
  const modules = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('MODULE '))
    .map((line) => line.slice('MODULE '.length))
    .map((url) => (url.startsWith('file:') ? path.relative(ROOT, fileURLToPath(url)) : url))
    .flatMap((module) => [module, ...(inputs[module] ?? [])]);
  return { result, modules: [...new Set(modules)].sort() };
}

const packageOf = (module: string) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module)?.[1];

describe('list reads the state only', () => {
  let dir: string;
  let home: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-list-imports-'));
    home = path.join(dir, 'home');
    mkdirSync(path.join(dir, 'project/.kamal'), { recursive: true });
    mkdirSync(home);
    writeFileSync(path.join(dir, 'project/.kamal/dev_state.yml'), STATE, { mode: 0o600 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('list --format json loads no network, SSH, locking, provider or config code, nor the --rebuild path', async () => {
    const { result, modules } = await traced(['list', '--format', 'json'], path.join(dir, 'project'), home);
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual(['myapp-dev-1']);
    // the hook saw the run: the entry point, the command and the state reader
    expect(modules).toEqual(expect.arrayContaining(['bin/kamal-dev.js', 'dist/main.js', 'src/cli/commands/list.ts', 'src/state/read.ts']));

    const packages = new Set(modules.map(packageOf).filter((name) => name !== undefined));
    expect(packages.has('commander')).toBe(true);
    expect([...packages].filter((name) => ['undici', 'ssh2', 'proper-lockfile'].includes(name))).toEqual([]);
    expect(modules.filter((m) => ['node:net', 'node:http', 'node:https', 'node:tls'].includes(m))).toEqual([]);
    expect(modules.filter((m) => m.startsWith('src/remote/') || m.startsWith('src/providers/upcloud/'))).toEqual([]);
    // list --rebuild's modules, and the locked store and config loader that it alone needs
    expect(modules.filter((m) => ['src/cli/session.ts', 'src/deploy/rebuild.ts', 'src/state/store.ts', 'src/config/load.ts'].includes(m))).toEqual([]);
    // neither zod (the state is checked against the shape generated from its schema) nor, for a file kamal-dev wrote, yaml
    expect([...packages].filter((name) => ['zod', 'yaml'].includes(name))).toEqual([]);
  });

  it('the trace does see modules loaded on demand: list --rebuild loads its path and the config loader', async () => {
    // No config/dev.yml: --rebuild fails at the config, after it has loaded its modules.
    const { result, modules } = await traced(['list', '--rebuild', '--format', 'json'], path.join(dir, 'project'), home);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('config/dev.yml: no such file');
    expect(modules).toEqual(expect.arrayContaining(['src/cli/session.ts', 'src/deploy/rebuild.ts', 'src/config/load.ts']));
  });
});
