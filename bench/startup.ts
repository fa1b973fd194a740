import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entry } from '../src/state/schema.js';
import { stringifyYaml } from '../src/state/serialize.js';
import { kamalDev, requireBuild, timeProcess } from './lib/proc.js';
import { printTable, writeResult } from './lib/report.js';
import { ms, ratio, summarize, type Summary } from './lib/stats.js';

const RUNS = 20;
const WORKSPACES = 200;
const TARGET_RATIO = 2.0;
const TRACE = fileURLToPath(new URL('./lib/module-trace.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Another build's bin/kamal-dev.js (say, main's) timed in the same interleaved rounds, case by case. */
const COMPARE = process.env.KAMAL_DEV_BENCH_COMPARE_BIN;

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

/** Which packages and which of our files a command loads: the start-up cost is mostly module loading. */
async function loadedModules(args: readonly string[], cwd: string): Promise<{ total: number; by_origin: Record<string, number> }> {
  const run = await timeProcess([process.execPath, '--import', TRACE, path.join(ROOT, 'bin/kamal-dev.js'), ...args], { cwd });
  const urls = new Set(run.stderr.split('\n').filter((l) => l.startsWith('MODULE ') && !l.includes('/bench/lib/')).map((l) => l.slice(7)));
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
    /** Each case: its label, arguments and folder (`node -e 0` is the yardstick). */
    const cases = {
      version: { label: '--version', args: ['--version'], cwd: empty },
      help: { label: '--help', args: ['--help'], cwd: empty },
      list_empty: { label: 'list --format json, no state', args: ['list', '--format', 'json'], cwd: empty },
      list: { label: `list --format json, ${WORKSPACES} workspaces`, args: ['list', '--format', 'json'], cwd },
    };
    type Case = keyof typeof cases;
    type Name = 'node' | Case | `compare:${Case}`;
    const run = (name: Name) => {
      if (name === 'node') return timeProcess([process.execPath, '-e', '0'], { cwd });
      if (name.startsWith('compare:')) {
        const c = cases[name.slice('compare:'.length) as Case];
        return timeProcess([process.execPath, COMPARE!, ...c.args], { cwd: c.cwd });
      }
      return kamalDev(cases[name as Case].args, { cwd: cases[name as Case].cwd });
    };
    const caseNames = Object.keys(cases) as Case[];
    const names: Name[] = ['node', ...caseNames, ...(COMPARE ? caseNames.map((c) => `compare:${c}` as const) : [])];

    const check = await run('list');
    const listed = Object.keys(JSON.parse(check.stdout) as object).length;
    if (check.code !== 0 || listed !== WORKSPACES) throw new Error(`list failed (exit ${check.code}, ${listed} workspaces): ${check.stderr}`);
    for (const name of names) await run(name);

    const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
    for (let i = 0; i < RUNS; i += 1) {
      // interleaved, rotating which goes first, so drifting machine load hits all alike
      for (let j = 0; j < names.length; j += 1) {
        const which = names[(i + j) % names.length] as Name;
        const timed = await run(which);
        if (timed.code !== 0) throw new Error(`${which} exited ${timed.code}: ${timed.stderr}`);
        times[which].push(timed.ms);
      }
    }
    const node = summarize(times.node);
    const results = [];
    for (const [name, c] of Object.entries(cases) as Array<[keyof typeof cases, (typeof cases)[keyof typeof cases]]>) {
      const summary = summarize(times[name]);
      results.push({ name, label: c.label, summary, ratio: ratio(summary.median, node.median), modules: await loadedModules(c.args, c.cwd) });
    }
    const compared = COMPARE
      ? caseNames.map((name) => ({ name, label: `${cases[name].label} (${COMPARE})`, summary: summarize(times[`compare:${name}`]), ratio: ratio(summarize(times[`compare:${name}`]).median, node.median) }))
      : [];
    const row = (label: string, s: Summary, modules: number | string) => [label, ms(s.median), ms(s.p90), ms(s.min), ms(s.max), `${ratio(s.median, node.median)}x`, modules];

    printTable(`Start-up vs \`node -e 0\` (${RUNS} runs each, interleaved; target <= ${TARGET_RATIO}x)`,
      ['COMMAND', 'MEDIAN ms', 'P90 ms', 'MIN ms', 'MAX ms', 'VS NODE', 'MODULES'],
      [row('node -e 0', node, '-'), ...results.map((r) => row(r.label, r.summary, r.modules.total)), ...compared.map((r) => row(r.label, r.summary, '-'))]);
    process.stdout.write(`load average (1, 5, 15 min) at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}\n`);
    for (const r of results) {
      process.stdout.write(`${r.label}: ${r.ratio}x ${r.ratio <= TARGET_RATIO ? 'OK' : 'OVER TARGET'}\n`);
    }
    for (const r of results) printTable(`Modules loaded by ${r.label} (${r.modules.total})`, ['ORIGIN', 'MODULES'], Object.entries(r.modules.by_origin));
    const figures = (s: Summary) => ({ runs: s.runs, median: ms(s.median), p90: ms(s.p90), min: ms(s.min), max: ms(s.max) });
    await writeResult('startup', {
      workspaces: WORKSPACES,
      state_file_bytes: stateBytes,
      runs_each: RUNS,
      target_ratio: TARGET_RATIO,
      node_e_0_ms: figures(node),
      cases: Object.fromEntries(
        results.map((r) => [r.name, { command: r.label, ms: figures(r.summary), ratio_of_medians: r.ratio, within_target: r.ratio <= TARGET_RATIO, modules: r.modules }]),
      ),
      ...(COMPARE ? { compare: { bin: COMPARE, cases: Object.fromEntries(compared.map((r) => [r.name, { ms: figures(r.summary), ratio_of_medians: r.ratio }])) } } : {}),
      loadavg_at_end: loadavg().map((l) => Math.round(l * 100) / 100),
      samples_ms: Object.fromEntries(names.map((name) => [name, times[name].map(ms)])),
    });
  } finally {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
