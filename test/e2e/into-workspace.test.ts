import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { acceptedSshLogins } from '../../bench/lib/local-cloud.js';
import { BIN } from '../helpers/cli.js';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, SECRET, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';

/** A devcontainer that exercises every way in: remoteUser, workspaceFolder, a token in remoteEnv, hooks, a port. */
const DEVCONTAINER = {
  image: '${localEnv:KAMAL_DEV_TEST_IMAGE}',
  workspaceFolder: '/workspace',
  remoteUser: 'nobody',
  remoteEnv: { GH: '${localEnv:KAMAL_DEV_TEST_TOKEN}', GREETING: 'hello' },
  forwardPorts: [8080],
  postCreateCommand: 'echo postcreate-ran-for-$GREETING',
  postStartCommand: 'httpd -p 8080 -h /var/www',
  postAttachCommand: 'date > /tmp/attached',
};

const NAMES = ['e2e-dev-1', 'e2e-dev-2', 'e2e-dev-3', 'e2e-dev-4', 'e2e-dev-5'];

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Error) {
      error.message = `step "${name}": ${error.message}`;
      throw error;
    }
    throw new Error(`step "${name}": ${String(error)}`);
  }
}

describeIf(requirements(), 'end to end on the local cloud: exec, ssh, ssh-config, logs, forward, private ports', () => {
  let cloud: LocalCloud;
  let project: Project;
  let ips: Record<string, string> = {};

  beforeAll(async () => {
    cloud = await startLocalCloud();
    project = e2eProject(cloud);
    writeFileSync(path.join(project.dir, '.devcontainer/devcontainer.json'), JSON.stringify(DEVCONTAINER, null, 2));
  }, 120_000);

  afterAll(async () => {
    await cloud?.close();
  }, 120_000);

  it('one journey in named steps', async () => {
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => project.run(args, env);

    await step('deploy --count 5 --yes', async () => {
      const deployed = await run(['deploy', '--count', '5', '--yes']);
      expect(deployed.code, deployed.stderr).toBe(0);
      const listed = JSON.parse((await run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string }>;
      ips = Object.fromEntries(Object.entries(listed).map(([name, e]) => [name, e.vm_ip]));
      expect(Object.keys(ips).sort()).toEqual(NAMES);
    });

    await step('exec on one workspace: stdout, stderr and the exit code exact', async () => {
      const r = await run(['exec', 'e2e-dev-1', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
      expect([r.code, r.stdout, r.stderr]).toEqual([7, 'out\n', 'err\n']);
    });

    await step('exec runs as remoteUser in workspaceFolder with remoteEnv, the token on no command line', async () => {
      const lists: string[] = [];
      const sampler = setInterval(() => lists.push(execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })), 30);
      const r = await run(['exec', 'e2e-dev-1', '--', 'sh', '-c', 'id -un; pwd; printf "%s\\n" "$GH"; sleep 1']).finally(() => clearInterval(sampler));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`nobody\n/workspace\n${SECRET}\n`);
      expect(lists.length).toBeGreaterThan(10);
      expect(lists.join('\n')).toContain('sleep 1');
      expect(lists.join('\n')).not.toContain(SECRET);
    });

    await step('an argument with quotes, $(...), backticks, a newline and non-ASCII arrives unchanged and runs nothing', async () => {
      const weird = `it's "q" $(touch /tmp/pwned) \`touch /tmp/pwned2\` ; echo x\nnaïve 日本語 🚀`;
      const r = await run(['exec', 'e2e-dev-2', '--', 'printf', '%s', weird]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(weird);
      const tmp = await run(['exec', 'e2e-dev-2', '--', 'ls', '/tmp']);
      expect(tmp.stdout).not.toContain('pwned');
      expect((await project.ssh(ips['e2e-dev-2']!, 'ls /tmp /root')).stdout).not.toContain('pwned');
    });

    await step('exec --all: prefixed lines from all 5, {index} and {name} expanded, one SSH login per VM', async () => {
      const before = Object.fromEntries(NAMES.map((n) => [n, acceptedSshLogins(ips[n]!)]));
      const r = await run(['exec', '--all', '--', 'sh', '-c', 'echo "task issue-{index} on {name} {{literal}}"; echo warn-{index} >&2']);
      expect(r.code, r.stderr).toBe(0);
      for (const [i, name] of NAMES.entries()) {
        expect(r.stdout).toContain(`${name} | task issue-${i + 1} on ${name} {literal}\n`);
        expect(r.stderr).toContain(`${name} | warn-${i + 1}\n`);
      }
      expect(r.stdout.trim().split('\n')).toHaveLength(5);
      expect(NAMES.map((n) => acceptedSshLogins(ips[n]!) - before[n]!)).toEqual([1, 1, 1, 1, 1]);
    });

    await step('exec --all --format json: 5 entries; one failing workspace gives exit 1 and its code', async () => {
      const r = await run(['exec', '--all', '--format', 'json', '--parallel', '2', '--', 'sh', '-c', 'echo i{index}; test {index} != 3 || exit 9']);
      expect(r.code, r.stderr).toBe(1);
      const rows = JSON.parse(r.stdout) as { name: string; exit_code: number; stdout: string; stderr: string; duration_ms: number }[];
      expect(rows.map((row) => [row.name, row.exit_code, row.stdout])).toEqual(NAMES.map((n, i) => [n, i === 2 ? 9 : 0, `i${i + 1}\n`]));
      for (const row of rows) expect(Object.keys(row)).toEqual(['name', 'exit_code', 'stdout', 'stderr', 'duration_ms']);
    });

    await step('bad input: one line, the right exit code, nothing started', async () => {
      const before = NAMES.map((n) => acceptedSshLogins(ips[n]!));
      const cases: [string[], number, RegExp][] = [
        [['exec', 'nope', '--', 'true'], 2, /no workspace named "nope"; known: e2e-dev-1, e2e-dev-2/],
        [['exec', 'e2e-dev-1'], 2, /no command after --/],
        [['exec', 'e2e-dev-1', '--'], 2, /no command after --/],
        [['exec', '-t', 'e2e-dev-1', '--', 'true'], 2, /-t needs a terminal/],
        [['exec', '--all', '-t', '--', 'true'], 2, /-t works with one workspace, not --all/],
        [['exec', '--all', '--', 'echo', '{nme}'], 2, /unknown placeholder "\{nme\}"/],
        [['exec', '--all', '--parallel', '0', '--', 'true'], 2, /--parallel must be a whole number/],
        [['ssh', 'nope'], 2, /no workspace named "nope"/],
        [['logs', 'nope'], 2, /no workspace named "nope"/],
        [['forward', 'e2e-dev-1', '70000'], 2, /port.*70000/],
        [['forward', 'e2e-dev-1', 'http'], 2, /port.*http/],
        [['forward', 'e2e-dev-1', '8080:0'], 2, /port/],
      ];
      for (const [args, code, message] of cases) {
        const r = await run(args);
        expect([args.join(' '), r.code], r.stderr).toEqual([args.join(' '), code]);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')[0]).toMatch(/^ERROR: /);
        expect(r.stdout).toBe('');
      }
      expect(NAMES.map((n) => acceptedSshLogins(ips[n]!))).toEqual(before);
    });
  }, 900_000);
});
