import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { runCli } from '../helpers/cli.js';
import { printTable, writeResult } from '../../bench/lib/report.js';
import { FILE_OF, FIXTURES, makeHome, makeProject, tempRoot, type FixtureName } from './helpers/fixture-project.js';
import { mutate, OPERATORS, picker, type FileKind, type Operator } from './helpers/mutate.js';
import { classify, type Outcome, type Verdict } from './helpers/outcome.js';
import { parserAccepts } from './helpers/oracle.js';
import { forEachLimited } from './helpers/pool.js';
import { seededRandom } from '../localcloud/emulator/prng.js';
import { changes, snapshot } from './helpers/snapshot.js';

const MUTATIONS = Number(process.env.RELIABILITY_MUTATIONS ?? 1000);
const SEED = Number(process.env.RELIABILITY_SEED ?? 1);
const KINDS: readonly FileKind[] = ['dev.yml', 'devcontainer.json', 'secrets'];
const FIXTURE_NAMES: readonly FixtureName[] = ['seed', 'rich'];
const TOKEN_SUFFIX = randomBytes(6).toString('hex');
/** Secret values of the two fixtures: none may be printed by any run. */
const SECRET_VALUES = ['ghp_example_not_a_real_token', 'postgres://dev:dev@localhost:5432/myapp_dev', `ghp_rich_${TOKEN_SUFFIX}`, 'rich-api-key', 'postgres://dev:dev@db:5432/rich'];

interface Finding {
  mutation: number;
  fixture: FixtureName;
  kind: FileKind;
  operator: Operator;
  detail: string;
  command: string;
  what: string;
}

describe(`bad input: ${MUTATIONS} mutated dev.yml, devcontainer.json and secrets files through the real binary`, () => {
  let emulator: Emulator;
  let root: string;
  let home: string;

  beforeAll(async () => {
    emulator = await startEmulator({ bootDelayMs: 50 });
    root = tempRoot('bad-input');
    home = makeHome(root);
  });

  afterAll(async () => {
    await emulator?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('never crashes, rejects with exit 2 and one clear line, creates nothing and requests no VM', async () => {
    const env = {
      HOME: home,
      RICH_TOKEN_SUFFIX: TOKEN_SUFFIX,
      UPCLOUD_API_URL: emulator.url,
      UPCLOUD_USERNAME: emulator.username,
      UPCLOUD_PASSWORD: emulator.password,
      KAMAL_DEV_SSH_TIMEOUT_MS: '2000',
      KAMAL_DEV_BOOT_TIMEOUT_MS: '2000',
      KAMAL_DEV_POLL_INTERVAL_MS: '100',
    };
    const verdicts: Record<string, Record<Verdict, number>> = {};
    const byOperator = new Map<string, { mutations: number; valid: number; rejected: number; other: number }>();
    const findings: Finding[] = [];
    let runs = 0;
    let valid = 0;
    const tally = (command: string, outcome: Outcome) => {
      verdicts[command] ??= { accepted: 0, rejected: 0, crash: 0, 'wrong-exit': 0, hang: 0 };
      verdicts[command][outcome.verdict] += 1;
    };

    await forEachLimited(MUTATIONS, 2, async (i) => {
      const random = seededRandom(SEED * 1_000_003 + i);
      const { pick } = picker(random);
      const fixture = pick(FIXTURE_NAMES);
      const kind = pick(KINDS);
      const operator = pick(OPERATORS);
      const marker = `/tmp/kamal-dev-owned-${randomBytes(6).toString('hex')}`;
      const original = readFileSync(path.join(FIXTURES[fixture], FILE_OF[kind]), 'utf8');
      const mutation = mutate(operator, { kind, original, random, marker });
      const project = makeProject(root, fixture, `m${i}`, { kind, bytes: mutation.bytes });
      const note = (command: string, what: string) => findings.push({ mutation: i, fixture, kind, operator, detail: mutation.detail, command, what });
      const before = snapshot(project.dir);
      const homeBefore = snapshot(home);
      const serversBefore = emulator.stats().requests['POST /1.3/server'] ?? 0;
      const run = async (args: string[]) => {
        const result = await runCli(args, { cwd: project.dir, env, timeoutMs: 60_000 });
        runs += 1;
        const outcome = classify(result);
        const command = args.join(' ');
        tally(command, outcome);
        if (outcome.verdict === 'crash' || outcome.verdict === 'hang' || outcome.verdict === 'wrong-exit') note(command, `${outcome.verdict} (exit ${result.code ?? result.signal}): ${result.stderr.slice(0, 400)}`);
        if (outcome.verdict === 'rejected' && !outcome.namesFile) note(command, `error names no file: ${outcome.error}`);
        if (outcome.errorLength > 500) note(command, `ERROR line of ${outcome.errorLength} characters`);
        for (const secret of SECRET_VALUES) if (`${result.stdout}${result.stderr}`.includes(secret)) note(command, `printed a secret value`);
        return outcome;
      };
      await run(['config']);
      const dry = await run(['deploy', '--dry-run']);
      let isValid = false;
      if (dry.verdict === 'accepted') {
        const parser = parserAccepts(kind, mutation.bytes, env, project.dir);
        if (parser === true) isValid = true;
        else note('deploy --dry-run', parser === 'threw' ? 'the in-process parser threw a non-ConfigError' : 'accepted although the in-process parser rejects it');
      } else if (dry.verdict === 'rejected') {
        // a real deploy of an input the dry run rejects must stop before creating anything
        await run(['deploy', '--yes']);
      }
      const row = byOperator.get(`${kind} ${operator}`) ?? { mutations: 0, valid: 0, rejected: 0, other: 0 };
      row.mutations += 1;
      if (isValid) row.valid += 1;
      else if (dry.verdict === 'rejected') row.rejected += 1;
      else row.other += 1;
      byOperator.set(`${kind} ${operator}`, row);
      if (isValid) valid += 1;

      const created = changes(before, snapshot(project.dir));
      if (created.length > 0) note('all', `project folder changed: ${created.join(', ')}`);
      const homeChanged = changes(homeBefore, snapshot(home));
      if (homeChanged.length > 0) note('all', `HOME changed: ${homeChanged.join(', ')}`);
      if (existsSync(marker)) {
        note('all', `shell payload ran: ${marker} exists`);
        rmSync(marker, { force: true });
      }
      const vms = (emulator.stats().requests['POST /1.3/server'] ?? 0) - serversBefore;
      if (vms > 0 && !isValid) note('all', `${vms} VM(s) requested`);
      project.remove();
    });

    const count = (pattern: RegExp) => findings.filter((f) => pattern.test(f.what)).length;
    const summary = {
      mutations: MUTATIONS,
      seed: SEED,
      runs,
      valid_mutations_excluded: valid,
      uncaught_exceptions_or_stack_traces: count(/^crash/),
      hangs: count(/^hang/),
      exit_codes_other_than_2: count(/^wrong-exit/),
      accepted_but_parser_rejects: count(/^accepted although|^the in-process parser threw/),
      errors_naming_no_file: count(/^error names no file/),
      error_lines_over_500_chars: count(/^ERROR line of/),
      secret_values_printed: count(/^printed a secret/),
      files_created_or_changed: count(/^project folder changed|^HOME changed/),
      shell_payloads_run: count(/^shell payload ran/),
      vms_requested: emulator.stats().requests['POST /1.3/server'] ?? 0,
    };
    printTable('Bad input: verdict of each command', ['COMMAND', 'ACCEPTED (exit 0)', 'REJECTED (exit 2)', 'CRASH', 'OTHER EXIT', 'HANG'],
      Object.entries(verdicts).map(([command, v]) => [command, v.accepted, v.rejected, v.crash, v['wrong-exit'], v.hang]));
    printTable('Bad input: mutations by file and operator (judged by deploy --dry-run)', ['FILE', 'OPERATOR', 'MUTATIONS', 'VALID', 'REJECTED', 'OTHER'],
      [...byOperator.entries()].sort().map(([key, r]) => [...key.split(' '), r.mutations, r.valid, r.rejected, r.other]));
    printTable('Bad input: counts (target 0 each)', ['COUNT', 'VALUE'], Object.entries(summary));
    for (const f of findings.slice(0, 30)) console.log(`#${f.mutation} ${f.fixture} ${f.kind} ${f.operator} [${f.detail}] ${f.command}: ${f.what}`);
    await writeResult('reliability-bad-input', { ...summary, verdicts, by_file_and_operator: Object.fromEntries(byOperator), findings: findings.slice(0, 200) });

    expect(runs).toBeGreaterThanOrEqual(MUTATIONS * 2);
    expect(valid, 'some mutations must be rejected').toBeLessThan(MUTATIONS);
    expect(findings.map((f) => `#${f.mutation} ${f.kind} ${f.operator} ${f.command}: ${f.what}`)).toEqual([]);
    expect(summary.vms_requested).toBe(0);
  });
});
