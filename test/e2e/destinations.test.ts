import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, SECRET, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

/** Each run of a hook leaves one file in hook-runs/, named after the time, its pid and the hook: its whole environment. */
const RECORDER = `#!/bin/sh
f="hook-runs/$(date +%s%N)-$$-$(basename "$0")"
env | sort > "$f.tmp" && mv "$f.tmp" "$f.env"
`;
/** The variables kamal-dev gives a hook (the test's environment has other KAMAL_DEV_* ones of its own). */
const HOOK_VARIABLES = /^KAMAL_DEV_(RECORDED_AT|PERFORMER|SERVICE|DESTINATION|WORKSPACES|HOSTS|COMMAND|RUNTIME)$/;
const HOOKS = ['dev-pre-connect', 'dev-pre-deploy', 'dev-post-deploy', 'dev-pre-remove', 'dev-post-remove'];

interface HookRun {
  hook: string;
  /** Its KAMAL_DEV_* variables and GITHUB_TOKEN, if any. */
  env: Record<string, string>;
  /** Its whole environment, as text. */
  text: string;
}

type Listed = Record<string, { vm_id: string; vm_ip: string; status: string }>;

describeIf(requirements(), 'end to end on the local cloud: destinations side by side, hooks and aliases', () => {
  let cloud: LocalCloud;
  let project: Project;
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const result = await project.run(args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const list = async (...args: string[]) => JSON.parse((await run(['list', '--format', 'json', ...args])).stdout) as Listed;
  const hookRuns = (): HookRun[] => {
    const dir = path.join(project.dir, 'hook-runs');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.env'))
      .sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]))
      .map((f) => {
        const text = readFileSync(path.join(dir, f), 'utf8');
        const pairs = text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
        return { hook: f.replace(/^\d+-\d+-/, '').replace(/\.env$/, ''), env: Object.fromEntries(pairs.filter(([k]) => HOOK_VARIABLES.test(k) || k === 'GITHUB_TOKEN')), text };
      });
  };
  const takeHookRuns = (): HookRun[] => {
    const runs = hookRuns();
    rmSync(path.join(project.dir, 'hook-runs'), { recursive: true });
    mkdirSync(path.join(project.dir, 'hook-runs'));
    return runs;
  };
  const inspectLabels = async (ip: string, name: string) => {
    const result = await project.ssh(ip, `docker inspect ${name}`);
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as Array<{ Config: { Labels: Record<string, string> } }>)[0]!.Config.Labels;
  };

  beforeAll(async () => {
    cloud = await startLocalCloud();
    project = e2eProject(cloud);
    const file = (relative: string, text: string, mode = 0o644) => {
      mkdirSync(path.dirname(path.join(project.dir, relative)), { recursive: true });
      writeFileSync(path.join(project.dir, relative), text, { mode });
    };
    file('config/dev.yml', `${readFileSync(path.join(project.dir, 'config/dev.yml'), 'utf8')}aliases:\n  ls: list --format\n  teardown: remove --all --force\n`);
    file('config/dev.staging.yml', 'defaults:\n  memory: 128m\n');
    // With -d staging, .kamal/secrets is not read: its own file and the common one are.
    file('.kamal/secrets.staging', 'GITHUB_TOKEN=staging-$KAMAL_DEV_TEST_TOKEN\n', 0o600);
    for (const hook of HOOKS) file(`.kamal/hooks/${hook}`, RECORDER, 0o755);
    mkdirSync(path.join(project.dir, 'hook-runs'));
  }, 120_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  it('two destinations deployed side by side never see each other; hooks run with their variables; aliases take arguments', async () => {
    // a failing dev-pre-deploy: nothing is created
    writeFileSync(path.join(project.dir, '.kamal/hooks/dev-pre-deploy'), '#!/bin/sh\necho "not today" >&2\nexit 3\n');
    const refused = await run(['deploy', '--count', '2', '--yes', '-d', 'staging']);
    expect(refused.stderr).toContain('ERROR: hook .kamal/hooks/dev-pre-deploy exited with 3; nothing was created');
    expect(refused.code).toBe(1);
    expect((await cloud.stats()).live_servers).toBe(0);
    expect((await cloud.stats()).requests['POST /1.3/server'] ?? 0).toBe(0);
    expect(existsSync(path.join(project.dir, '.kamal/dev_state.staging.yml'))).toBe(false);
    expect(takeHookRuns().map((r) => r.hook)).toEqual(['dev-pre-connect']);
    writeFileSync(path.join(project.dir, '.kamal/hooks/dev-pre-deploy'), RECORDER);

    // both at once: each destination has its own deploy lock, state file and VMs
    const [plain, staging] = await Promise.all([run(['deploy', '--count', '1', '--yes']), run(['deploy', '--count', '2', '--yes', '-d', 'staging'])]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(staging.code, staging.stderr).toBe(0);
    expect(plain.stderr).not.toContain('Another deploy or remove');
    expect(staging.stderr).not.toContain('Another deploy or remove');
    const servers = await cloud.servers();
    expect(servers).toHaveLength(3);
    expect(servers.map((s) => s.labels['kamal-dev-destination'] ?? '(none)').sort()).toEqual(['(none)', 'staging', 'staging']);

    const plainList = await list();
    const stagingList = await list('-d', 'staging');
    expect(Object.keys(plainList)).toEqual(['e2e-dev-1']);
    expect(Object.keys(stagingList)).toEqual(['e2e-dev-1', 'e2e-dev-2']);
    const plainVm = plainList['e2e-dev-1']!;
    expect(Object.values(stagingList).map((e) => e.vm_id)).not.toContain(plainVm.vm_id);
    expect(servers.find((s) => s.uuid === plainVm.vm_id)!.labels['kamal-dev-destination']).toBeUndefined();

    // containers: labelled with their destination, limits and secret of their own config
    expect(await inspectLabels(plainVm.vm_ip, 'e2e-dev-1')).not.toHaveProperty('kamal-dev.destination');
    for (const [name, entry] of Object.entries(stagingList)) {
      expect(await inspectLabels(entry.vm_ip, name)).toMatchObject({ 'kamal-dev.service': 'e2e-dev', 'kamal-dev.destination': 'staging' });
      const memory = await project.ssh(entry.vm_ip, `docker inspect -f '{{.HostConfig.Memory}}' ${name}`);
      expect(memory.stdout.trim()).toBe(String(128 * 1024 * 1024));
      const token = await project.ssh(entry.vm_ip, `docker exec ${name} sh -c 'echo $GITHUB_TOKEN_B64 | base64 -d'`);
      expect(token.stdout).toBe(`staging-${SECRET}`);
    }
    const plainToken = await project.ssh(plainVm.vm_ip, `docker exec e2e-dev-1 sh -c 'echo $GITHUB_TOKEN_B64 | base64 -d'`);
    expect(plainToken.stdout).toBe(SECRET);

    // the hooks of both deploys, each with its own variables
    const deployRuns = takeHookRuns();
    const of = (destination: string | undefined) => deployRuns.filter((r) => r.env.KAMAL_DEV_DESTINATION === destination);
    expect(of('staging').map((r) => r.hook)).toEqual(['dev-pre-connect', 'dev-pre-deploy', 'dev-post-deploy']);
    expect(of(undefined).map((r) => r.hook)).toEqual(['dev-pre-connect', 'dev-pre-deploy', 'dev-post-deploy']);
    const stagingIps = Object.values(stagingList).map((e) => e.vm_ip).join(',');
    const [pre, preDeploy, post] = of('staging');
    for (const r of of('staging')) expect(r.env).toMatchObject({ KAMAL_DEV_SERVICE: 'e2e-dev', KAMAL_DEV_COMMAND: 'deploy', KAMAL_DEV_PERFORMER: expect.stringMatching(/.+/) });
    expect(pre!.env.KAMAL_DEV_RECORDED_AT).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(preDeploy!.env).toMatchObject({ KAMAL_DEV_WORKSPACES: 'e2e-dev-1,e2e-dev-2', KAMAL_DEV_HOSTS: '' });
    expect(preDeploy!.env.KAMAL_DEV_RUNTIME).toBeUndefined();
    expect(post!.env).toMatchObject({ KAMAL_DEV_WORKSPACES: 'e2e-dev-1,e2e-dev-2', KAMAL_DEV_HOSTS: stagingIps, KAMAL_DEV_RUNTIME: expect.stringMatching(/^\d+$/) });
    expect(of(undefined)[2]!.env).toMatchObject({ KAMAL_DEV_WORKSPACES: 'e2e-dev-1', KAMAL_DEV_HOSTS: plainVm.vm_ip });
    // Secrets never reach a hook: GITHUB_TOKEN is defined only by the secrets files (whose staging value exists
    // nowhere else); the test's own environment, KAMAL_DEV_TEST_TOKEN included, is the user's, and passed.
    for (const r of deployRuns) {
      expect(r.env.GITHUB_TOKEN).toBeUndefined();
      expect(r.text).not.toContain(`staging-${SECRET}`);
      expect(r.text).not.toContain(Buffer.from(SECRET).toString('base64'));
      expect(r.text).toContain(`KAMAL_DEV_TEST_TOKEN=${SECRET}`);
    }

    // status of each destination: only its own
    const stagingStatus = JSON.parse((await run(['status', '-d', 'staging', '--format', 'json'])).stdout) as Record<string, { status: string; vm_id: string }>;
    expect(Object.values(stagingStatus).map((s) => s.status)).toEqual(['running', 'running']);
    const plainStatus = JSON.parse((await run(['status', '--format', 'json'])).stdout) as Record<string, { status: string; vm_id: string }>;
    expect(plainStatus).toEqual({ 'e2e-dev-1': expect.objectContaining({ status: 'running', vm_id: plainVm.vm_id }) });
    takeHookRuns();

    // list --rebuild of each destination after its state file is lost: only its own VMs come back
    rmSync(path.join(project.dir, '.kamal/dev_state.staging.yml'));
    const rebuilt = JSON.parse((await run(['list', '--rebuild', '--format', 'json', '-d', 'staging'])).stdout) as Listed;
    expect(Object.keys(rebuilt)).toEqual(['e2e-dev-1', 'e2e-dev-2']);
    for (const [name, entry] of Object.entries(stagingList)) expect(rebuilt[name]).toMatchObject({ vm_id: entry.vm_id, status: 'running' });
    rmSync(path.join(project.dir, '.kamal/dev_state.yml'));
    const rebuiltPlain = JSON.parse((await run(['list', '--rebuild', '--format', 'json'])).stdout) as Listed;
    expect(rebuiltPlain).toEqual({ 'e2e-dev-1': expect.objectContaining({ vm_id: plainVm.vm_id, status: 'running' }) });

    // an alias with arguments: `ls json -d staging` is `list --format json -d staging`
    const aliased = await run(['ls', 'json', '-d', 'staging']);
    expect(aliased.code, aliased.stderr).toBe(0);
    expect(JSON.parse(aliased.stdout)).toEqual(rebuilt);
    takeHookRuns();

    // remove --all --force -d staging (an alias): staging's VMs go, the other destination's keeps running
    const removed = await run(['teardown', '-d', 'staging']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(path.join(project.dir, '.kamal/dev_state.staging.yml'))).toBe(false);
    const left = await cloud.servers();
    expect(left.map((s) => s.uuid)).toEqual([plainVm.vm_id]);
    const still = JSON.parse((await run(['status', '--format', 'json'])).stdout) as Record<string, { status: string; container: string }>;
    expect(still['e2e-dev-1']).toMatchObject({ status: 'running', container: 'running' });
    const removeRuns = takeHookRuns().filter((r) => r.env.KAMAL_DEV_COMMAND === 'remove');
    expect(removeRuns.map((r) => r.hook)).toEqual(['dev-pre-connect', 'dev-pre-remove', 'dev-post-remove']);
    for (const r of removeRuns) expect(r.env).toMatchObject({ KAMAL_DEV_DESTINATION: 'staging', KAMAL_DEV_WORKSPACES: 'e2e-dev-1,e2e-dev-2', KAMAL_DEV_HOSTS: stagingIps });

    // --skip-hooks: the last remove runs none
    const last = await run(['remove', '--all', '--force', '--skip-hooks']);
    expect(last.code, last.stderr).toBe(0);
    expect((await cloud.stats()).live_servers).toBe(0);
    expect(hookRuns()).toEqual([]);
    expect(outputs.join('\n')).not.toContain(SECRET);
  }, 1_200_000);
});
