import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, startLocalCloud, type LocalCloud } from '../e2e/local-cloud.js';
import { printTable, writeResult } from '../../bench/lib/report.js';
import { makeHome, makeProject, tempRoot } from './helpers/fixture-project.js';
import { plantPayload, PLACES, type Place } from './helpers/injection-project.js';
import { classify } from './helpers/outcome.js';
import { shellPayloads } from './helpers/payloads.js';
import { forEachLimited } from './helpers/pool.js';
import { changes, snapshot } from './helpers/snapshot.js';

const marker = () => `/tmp/owned-${randomBytes(8).toString('hex')}`;
/** Places where a payload can never be valid: names must be docker names. */
const NAME_PLACES: readonly Place[] = ['service', 'naming.pattern'];

/** Runs a printed `docker run …` line through sh with `docker` defined to print its argv: the line as a user would paste it. */
function argvOfPrintedLine(line: string): string[] {
  const out = spawnSync('sh', ['-c', `docker() { printf '%s\\0' docker "$@"; }\n${line}`], { encoding: 'utf8' });
  return out.stdout.split('\0').slice(0, -1);
}

describe('injection: shell payloads in names, env values, mount paths and secrets (deploy --dry-run)', () => {
  let root: string;
  let home: string;
  beforeAll(() => {
    root = tempRoot('injection');
    home = makeHome(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('run nothing, print argv that a shell reads back verbatim, and reject names with exit 2', async () => {
    const cases = PLACES.flatMap((place) => shellPayloads('MARKER').map((_, p) => ({ place, p })));
    const rows = new Map<Place, { runs: number; accepted: number; rejected: number; other: number; ran: number; argvMismatch: number }>();
    const problems: string[] = [];
    await forEachLimited(cases.length, 2, async (i) => {
      const { place, p } = cases[i]!;
      const file = marker();
      const payload = shellPayloads(file)[p]!;
      const project = makeProject(root, 'seed', `c${i}`);
      const extraEnv = plantPayload(project.dir, place, payload);
      const before = snapshot(project.dir);
      const env = { HOME: home, ...extraEnv };
      const text = await runCli(['deploy', '--dry-run'], { cwd: project.dir, env });
      const json = await runCli(['deploy', '--dry-run', '--format', 'json'], { cwd: project.dir, env });
      const row = rows.get(place) ?? { runs: 0, accepted: 0, rejected: 0, other: 0, ran: 0, argvMismatch: 0 };
      row.runs += 1;
      const outcome = classify(text);
      if (outcome.verdict === 'accepted') row.accepted += 1;
      else if (outcome.verdict === 'rejected') row.rejected += 1;
      else {
        row.other += 1;
        problems.push(`${place} #${p}: ${outcome.verdict} exit ${text.code}: ${text.stderr.slice(0, 300)}`);
      }
      if (NAME_PLACES.includes(place) && outcome.verdict !== 'rejected') problems.push(`${place} #${p}: a name with shell characters was not rejected (exit ${text.code})`);
      if (outcome.verdict === 'accepted') {
        const planned = JSON.parse(json.stdout) as { workspaces: Array<{ docker_run: string[] }> };
        // each workspace's block ends at a blank line; its docker run may span lines (a value with a newline)
        const lines = text.stdout.split('\n\n').map((block) => /^ *docker run [\s\S]*/m.exec(block)?.[0]).filter((l) => l !== undefined);
        expect(lines.length).toBe(planned.workspaces.length);
        lines.forEach((line, w) => {
          if (JSON.stringify(argvOfPrintedLine(line.trim())) !== JSON.stringify(planned.workspaces[w]!.docker_run)) {
            row.argvMismatch += 1;
            problems.push(`${place} #${p}: the printed docker run does not read back as the planned argv`);
          }
        });
      }
      if (existsSync(file)) {
        row.ran += 1;
        problems.push(`${place} #${p}: ${file} was created`);
        rmSync(file, { force: true });
      }
      const changed = changes(before, snapshot(project.dir));
      if (changed.length > 0) problems.push(`${place} #${p}: project changed: ${changed.join(', ')}`);
      rows.set(place, row);
      project.remove();
    });
    printTable('Injection (deploy --dry-run): payloads per place', ['PLACE', 'RUNS', 'ACCEPTED', 'REJECTED (2)', 'OTHER', 'PAYLOAD RAN', 'PRINTED ARGV MISMATCH'],
      PLACES.map((place) => {
        const r = rows.get(place)!;
        return [place, r.runs, r.accepted, r.rejected, r.other, r.ran, r.argvMismatch];
      }));
    await writeResult('reliability-injection', { payloads: shellPayloads('/tmp/owned-<random>'), per_place: Object.fromEntries(rows), problems });
    expect(problems).toEqual([]);
    expect(rows.get('containerEnv')!.accepted, 'env values with shell characters are data, not an error').toBe(shellPayloads('x').length);
  }, 600_000);
});

describeIf(requirements(), 'injection on a real VM: deploy --yes with every payload at once', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud(300);
  }, 180_000);
  afterAll(async () => {
    await cloud?.close();
  }, 180_000);

  it('creates no file locally, on the VM or in the container, and the values arrive literally', async () => {
    const project = e2eProject(cloud);
    const places: Place[] = ['containerEnv', 'remoteEnv', 'localEnv', 'mount-object', 'mount-string', 'workspaceFolder', 'runArgs', 'secret-single-quoted'];
    const markers = new Map<Place, string>();
    let extraEnv: NodeJS.ProcessEnv = {};
    for (const place of places) {
      const file = marker();
      markers.set(place, file);
      // the payload that mixes $( ), backticks and ;
      extraEnv = { ...extraEnv, ...plantPayload(project.dir, place, shellPayloads(file)[9]!, { dockerValid: true }) };
    }
    const deployed = await project.run(['deploy', '--count', '1', '--yes'], extraEnv);
    const removeAll = () => project.run(['remove', '--all', '--force']);
    try {
      expect(deployed.code, deployed.stderr).toBe(0);
      const listed = JSON.parse((await project.run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>;
      const [name, entry] = Object.entries(listed)[0]!;
      const onVm = await project.ssh(entry.vm_ip, 'ls -a /tmp /root; docker exec ' + name + ' ls -a /tmp');
      expect(onVm.code, onVm.stderr).toBe(0);
      expect(onVm.stdout, 'the listing reached the container').toContain('kamal-dev-post-create');
      const inspect = JSON.parse((await project.ssh(entry.vm_ip, `docker inspect ${name}`)).stdout) as Array<{ Config: { Env: string[] } }>;
      const secret = await project.ssh(entry.vm_ip, `docker exec ${name} sh -c 'echo $EVIL_SECRET_B64 | base64 -d'`);
      const leaked = [...markers].filter(([, file]) => existsSync(file) || onVm.stdout.includes(file.slice('/tmp/'.length)));
      printTable('Injection on a real VM', ['PLACE', 'PAYLOAD FILE CREATED (local, VM, container)'], [...markers].map(([place, file]) => [place, leaked.some(([p]) => p === place) ? `YES ${file}` : 'no']));
      expect(leaked).toEqual([]);
      expect(inspect[0]!.Config.Env).toContain(`EVIL=${shellPayloads(markers.get('containerEnv')!)[9]}`);
      expect(secret.stdout).toBe(shellPayloads(markers.get('secret-single-quoted')!)[9]!.replaceAll("'", ''));
    } finally {
      const removed = await removeAll();
      expect(removed.code, removed.stderr).toBe(0);
      for (const file of markers.values()) rmSync(file, { force: true });
      expect((await cloud.stats()).live_servers).toBe(0);
    }
  }, 600_000);
});
