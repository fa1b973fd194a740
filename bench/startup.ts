import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entry } from '../src/state/schema.js';
import { stringifyYaml } from '../src/state/serialize.js';
import { kamalDev, requireBuild, timeProcess } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, ratio, summarize, type Summary } from './lib/stats.js';

const RUNS = 20;
const WORKSPACES = 200;
const TARGET_RATIO = 2.5;
const TRACE = fileURLToPath(new URL('./lib/module-trace.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

function entry(i: number): Entry {
  const name = `myapp-dev-${i}`;
  return {
    vm_id: `00${i.toString(16).padStart(6, '0')}-0000-4000-8000-00000000${String(i).padStart(4, '0')}`,
    vm_ip: `198.19.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    container_name: name,
    status: i % 10 === 0 ? 'stopped' : 'running',
    deployed_at: new Date(Date.UTC(2026, 10, 22, 12, 0, i)).toISOString(),
    service: 'myapp-dev',
    provider: 'upcloud',
    zone: 'us-nyc1',
    plan: '1xCPU-2GB',
    request_id: `5f0c3a1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
    host_key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'x'.repeat(43 - String(i).length)}${i}`,
    ports: { '3000': 3000, '5432': 5432 },
  };
}

/** Which packages and which of our folders `list` loads: the start-up cost is mostly module loading. */
async function loadedModules(cwd: string): Promise<{ total: number; by_origin: Record<string, number> }> {
  const run = await timeProcess([process.execPath, '--import', TRACE, path.join(ROOT, 'bin/kamal-dev.js'), 'list', '--format', 'json'], { cwd });
  const urls = new Set(run.stderr.split('\n').filter((l) => l.startsWith('MODULE ')).map((l) => l.slice(7)));
  const byOrigin: Record<string, number> = {};
  for (const url of urls) {
    const rel = url.startsWith('file://') ? path.relative(ROOT, fileURLToPath(url)) : url;
    const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel)?.[1];
    const key = pkg ? `package ${pkg}` : rel.startsWith('node:') ? 'node builtins' : /^dist\/([^/]+\/)?/.exec(rel)?.[0] ?? rel;
    byOrigin[key] = (byOrigin[key] ?? 0) + 1;
  }
  return { total: urls.size, by_origin: Object.fromEntries(Object.entries(byOrigin).sort((a, b) => b[1] - a[1])) };
}

export async function startupBenchmark(): Promise<void> {
  requireBuild();
  const cwd = await mkdtemp(path.join(tmpdir(), 'kamal-dev-bench-startup-'));
  const dirs = [cwd];
  try {
    await mkdir(path.join(cwd, '.kamal'), { recursive: true });
    const deployments = Object.fromEntries(Array.from({ length: WORKSPACES }, (_, i) => [`myapp-dev-${i + 1}`, entry(i + 1)]));
    const stateText = stringifyYaml({ deployments });
    const stateBytes = Buffer.byteLength(stateText);
    await writeFile(path.join(cwd, '.kamal/dev_state.yml'), stateText, { mode: 0o600 });

    const empty = await mkdtemp(path.join(tmpdir(), 'kamal-dev-bench-startup-empty-'));
    dirs.push(empty);
    const commands = {
      node: () => timeProcess([process.execPath, '-e', '0'], { cwd }),
      list_empty: () => kamalDev(['list', '--format', 'json'], { cwd: empty }),
      list: () => kamalDev(['list', '--format', 'json'], { cwd }),
    };
    const check = await commands.list();
    const listed = Object.keys(JSON.parse(check.stdout) as object).length;
    if (check.code !== 0 || listed !== WORKSPACES) throw new Error(`list failed (exit ${check.code}, ${listed} workspaces): ${check.stderr}`);
    await commands.node();
    await commands.list_empty();

    const names = Object.keys(commands) as Array<keyof typeof commands>;
    const times = { node: [] as number[], list_empty: [] as number[], list: [] as number[] };
    for (let i = 0; i < RUNS; i += 1) {
      // interleaved, rotating which goes first, so drifting machine load hits all alike
      for (let j = 0; j < names.length; j += 1) {
        const which = names[(i + j) % names.length] as keyof typeof commands;
        const run = await commands[which]();
        if (run.code !== 0) throw new Error(`${which} exited ${run.code}: ${run.stderr}`);
        times[which].push(run.ms);
      }
    }
    const node = summarize(times.node);
    const listEmpty = summarize(times.list_empty);
    const list = summarize(times.list);
    const measured = ratio(list.median, node.median);
    const modules = await loadedModules(cwd);
    const row = (label: string, s: Summary) => [label, ms(s.median), ms(s.p90), ms(s.min), ms(s.max), `${ratio(s.median, node.median)}x`];

    printTable(`Start-up: \`kamal-dev list --format json\` vs \`node -e 0\` (${RUNS} runs each, interleaved)`,
      ['COMMAND', 'MEDIAN ms', 'P90 ms', 'MIN ms', 'MAX ms', 'VS NODE'],
      [row('node -e 0', node), row('list, empty state', listEmpty), row(`list, ${WORKSPACES} workspaces`, list)]);
    process.stdout.write(`ratio of medians (${WORKSPACES} workspaces): ${measured}x (target <= ${TARGET_RATIO}x) ${measured <= TARGET_RATIO ? 'OK' : 'OVER TARGET'}\n`);
    printTable(`Modules loaded by list (${modules.total})`, ['ORIGIN', 'MODULES'], Object.entries(modules.by_origin));
    const figures = (s: Summary) => ({ runs: s.runs, median: ms(s.median), p90: ms(s.p90), min: ms(s.min), max: ms(s.max) });
    await writeResult('startup', {
      workspaces: WORKSPACES,
      state_file_bytes: stateBytes,
      runs_each: RUNS,
      node_e_0_ms: figures(node),
      list_json_empty_state_ms: figures(listEmpty),
      list_json_ms: figures(list),
      ratio_of_medians: measured,
      ratio_of_medians_empty_state: ratio(listEmpty.median, node.median),
      target_ratio: TARGET_RATIO,
      within_target: measured <= TARGET_RATIO,
      modules_loaded_by_list: modules,
      samples_ms: { node: times.node.map(ms), list_empty: times.list_empty.map(ms), list: times.list.map(ms) },
    });
  } finally {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
