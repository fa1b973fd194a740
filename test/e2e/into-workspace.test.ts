import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { acceptedSshLogins, vmOf } from '../../bench/lib/local-cloud.js';
import { BIN, runCli } from '../helpers/cli.js';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, SECRET, startLocalCloud, type LocalCloud, type Project } from './local-cloud.js';
import { step } from '../helpers/step.js';
import { etcSshDir } from '../localcloud/netns/sshd.js';

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

/** Resolves once `test` holds for the text collected so far; rejects after `deadlineMs` showing it. */
function waitForText(read: () => string, test: (text: string) => boolean, deadlineMs: number, what: string): Promise<string> {
  const until = Date.now() + deadlineMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const text = read();
      if (test(text)) return resolve(text);
      if (Date.now() > until) return reject(new Error(`${what} not seen within ${deadlineMs} ms; saw: ${JSON.stringify(text.slice(-1500))}`));
      setTimeout(poll, 100);
    };
    poll();
  });
}

/** A kamal-dev that keeps running (logs -f, forward), its output collected. */
function spawnCli(project: Project, args: string[]): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: project.dir, env: { PATH: process.env.PATH, NO_COLOR: '1', ...project.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** The system's OpenSSH client with `args`, in the project's environment (the ProxyCommand runs kamal-dev there). */
function openssh(project: Project, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ssh', args, { cwd: project.dir, env: { PATH: process.env.PATH, ...project.env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 255) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** An HTTP GET from this machine; the error code (ECONNREFUSED...) when nothing answers. */
async function get(url: string): Promise<string> {
  try {
    // a new connection each time: a kept-alive one would outlive the tunnel it went through
    return await (await fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(10_000) })).text();
  } catch (error) {
    return `failed: ${String((error as { cause?: { code?: string } }).cause?.code ?? error)}`;
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

    await step('exec -i forwards stdin (through OpenSSH, host key pinned)', async () => {
      const r = await runCli(['exec', '-i', 'e2e-dev-1', '--', 'sh', '-c', 'tr a-z A-Z; exit 4'], { cwd: project.dir, env: project.env, input: 'piped through\n', timeoutMs: 60_000 });
      expect([r.code, r.stdout], r.stderr).toEqual([4, 'PIPED THROUGH\n']);
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
        [['ssh-config', 'e2e-dev-1', 'nope'], 2, /no workspace named "nope"/],
        [['forward', 'nope'], 2, /no workspace named "nope"/],
        [['exec', '--all', '-i', '--', 'cat'], 2, /-i works with one workspace, not --all/],
        [['logs', 'nope'], 2, /no workspace named "nope"/],
        [['ssh', 'e2e-dev-1', 'extra'], 2, /one workspace NAME, then -- before a command/],
        [['ssh', 'e2e-dev-1', '--'], 2, /no command after --/],
        [['logs', 'e2e-dev-1', '-n', 'ten'], 2, /-n must be a whole number/],
        [['forward', 'e2e-dev-1', '70000'], 2, /"70000" is not a port/],
        [['forward', 'e2e-dev-1', 'http'], 2, /"http" is not a port/],
        [['forward', 'e2e-dev-1', '8080:0'], 2, /"8080:0" is not a port/],
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

    await step('Ctrl-C ends exec --all: the remote commands end (and all they started), exit 130', async () => {
      const sleeping = () => execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((line) => line.trim() === 'sleep 291').length;
      const exec = spawnCli(project, ['exec', '--all', '--', 'sh', '-c', 'echo started; sleep 291; echo never']);
      await waitForText(exec.stdout, (t) => (t.match(/\| started$/gm) ?? []).length === 5, 60_000, 'five "started" lines');
      expect(sleeping()).toBe(5);
      exec.child.kill('SIGINT');
      expect(await exec.exit).toBe(130);
      await waitForText(() => String(sleeping()), (n) => n === '0', 15_000, 'no "sleep 291" left');
      expect(exec.stdout()).not.toContain('never');
    });

    const version = (await run(['exec', 'e2e-dev-1', '--', 'cat', '/etc/kamal-dev-test-version'])).stdout.trim();

    await step('ssh under a real terminal (tmux): a typed command runs in the container, read back from the pane', async () => {
      const socket = `kd-e2e-${process.pid}`;
      const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, ...project.env, NO_COLOR: '1' } });
      try {
        tmux('new-session', '-d', '-s', 'ws', '-x', '160', '-y', '40', '-c', project.dir, process.execPath, BIN, 'ssh', 'e2e-dev-3');
        tmux('send-keys', '-t', 'ws', 'printf "%s:%s:%s\\n" "$(id -un)" "$(pwd)" "$(cat /etc/kamal-dev-test-version)"; tty; echo MARK-$((6*7))', 'Enter');
        const pane = await waitForText(() => tmux('capture-pane', '-p', '-t', 'ws'), (text) => /^MARK-42$/m.test(text), 30_000, 'the typed command\'s output');
        expect(pane).toContain(`nobody:/workspace:${version}`);
        expect(pane).toMatch(/^\/dev\/pts\/\d+$/m);
      } finally {
        try {
          tmux('kill-server');
        } catch {
          // the server ended with its last session
        }
      }
      // postAttachCommand ran on that attach
      expect((await run(['exec', 'e2e-dev-3', '--', 'test', '-s', '/tmp/attached'])).code).toBe(0);
    });

    await step('ssh NAME -- CMD exits with its code; ssh --vm lands on the VM', async () => {
      const r = await run(['ssh', 'e2e-dev-1', '--', 'sh', '-c', 'exit 5']);
      expect(r.code, r.stderr).toBe(5);
      const vm = await run(['ssh', 'e2e-dev-1', '--vm', '--', 'docker', 'inspect', '-f', '{{.Name}}', 'e2e-dev-1']);
      expect([vm.code, vm.stdout], vm.stderr).toEqual([0, '/e2e-dev-1\n']);
      expect(statSync(path.join(project.dir, '.kamal/known_hosts')).mode & 0o777).toBe(0o600);
    });

    await step('ssh-config: OpenSSH reaches the container and the VM with its own strict host-key checking', async () => {
      const printed = await run(['ssh-config']);
      expect(printed.code, printed.stderr).toBe(0);
      for (const name of NAMES) {
        expect(printed.stdout).toContain(`Host ${name}.kamal-dev\n`);
        expect(printed.stdout).toContain(`Host ${name}.vm.kamal-dev\n  HostName ${ips[name]}\n  User root\n  Port 22\n`);
      }
      expect(printed.stdout).toContain('StrictHostKeyChecking yes');
      expect(printed.stdout).not.toMatch(/StrictHostKeyChecking (no|accept-new)/);
      const file = path.join(project.dir, 'ssh_config');
      writeFileSync(file, printed.stdout);
      const inContainer = await openssh(project, ['-F', file, '-o', 'BatchMode=yes', 'e2e-dev-2.kamal-dev', 'cat', '/etc/kamal-dev-test-version']);
      expect([inContainer.code, inContainer.stdout.trim()], inContainer.stderr).toEqual([0, version]);
      const who = await openssh(project, ['-F', file, '-o', 'BatchMode=yes', 'e2e-dev-2.kamal-dev', 'id -un; pwd; printf %s "$GH"']);
      expect(who.stdout).toBe(`nobody\n/workspace\n${SECRET}`);
      const code = await openssh(project, ['-F', file, '-o', 'BatchMode=yes', 'e2e-dev-2.kamal-dev', 'exit 3']);
      expect(code.code).toBe(3);
      const onVm = await openssh(project, ['-F', file, '-o', 'BatchMode=yes', 'e2e-dev-2.vm.kamal-dev', 'docker', 'inspect', '-f', '{{.Name}}', 'e2e-dev-2']);
      expect([onVm.code, onVm.stdout], onVm.stderr).toEqual([0, '/e2e-dev-2\n']);
      // OpenSSH's own check: a wrong key in the file is refused without a prompt
      const known = path.join(project.dir, '.kamal/known_hosts');
      const saved = readFileSync(known, 'utf8');
      writeFileSync(known, saved.replace(/^(e2e-dev-2\.vm\.kamal-dev) .*$/m, `$1 ${readFileSync(`${project.home}/.ssh/id_ed25519.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`));
      const refused = await openssh(project, ['-F', file, '-o', 'BatchMode=yes', 'e2e-dev-2.vm.kamal-dev', 'true']);
      expect(refused.code).toBe(255);
      expect(refused.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
      writeFileSync(known, saved);
    });

    await step('logs: the first line, -f streams a later line, --lifecycle holds the postCreateCommand output', async () => {
      const first = await run(['logs', 'e2e-dev-4']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout.split('\n')[0]).toBe('Container started');
      const follow = spawnCli(project, ['logs', '-f', 'e2e-dev-4']);
      try {
        await waitForText(follow.stdout, (t) => t.includes('Container started'), 30_000, 'the first line');
        await project.ssh(ips['e2e-dev-4']!, "docker exec e2e-dev-4 sh -c 'echo LATER-LINE > /proc/1/fd/1'");
        await waitForText(follow.stdout, (t) => t.includes('LATER-LINE'), 30_000, 'the line written after logs -f started');
      } finally {
        follow.child.kill('SIGINT');
      }
      expect(await follow.exit).toBe(130);
      const lifecycle = await run(['logs', 'e2e-dev-4', '--lifecycle']);
      expect(lifecycle.code, lifecycle.stderr).toBe(0);
      expect(lifecycle.stdout).toMatch(/=== \S+ postCreateCommand: exit 0\npostcreate-ran-for-hello\n/);
      expect(lifecycle.stdout).toContain('postStartCommand: exit 0');
    });

    await step('private ports: not reachable at VM_IP:8080; through forward, also after sshd drops the connection', async () => {
      const ip = ips['e2e-dev-2']!;
      expect(await get(`http://${ip}:8080/`)).toBe('failed: ECONNREFUSED');
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const busy = (taken.address() as { port: number }).port;
      const forward = spawnCli(project, ['--verbose', 'forward', 'e2e-dev-2', `8080:${busy}`]);
      try {
        const line = await waitForText(forward.stdout, (t) => /-> e2e-dev-2:8080\n/.test(t), 30_000, 'the forward line');
        const local = Number(/^http:\/\/127\.0\.0\.1:(\d+) -> e2e-dev-2:8080$/m.exec(line)![1]);
        expect(local).toBeGreaterThan(busy);
        expect(forward.stderr()).toContain(`local port ${busy} is in use; using ${local}`);
        expect(await get(`http://127.0.0.1:${local}/`)).toContain('kamal-dev test workspace');
        // sshd's session processes for that connection (not the listener) in the VM's namespace
        const vm = vmOf(ip);
        const pids = execFileSync('ip', ['netns', 'pids', vm.netns], { encoding: 'utf8' }).split('\n').filter(Boolean);
        const sessions = pids.filter((pid) => {
          try {
            const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            return args.startsWith('sshd: ') && !args.includes('[listener]');
          } catch {
            return false;
          }
        });
        expect(sessions.length).toBeGreaterThan(0);
        for (const pid of sessions) process.kill(Number(pid), 'SIGKILL');
        expect(await get(`http://127.0.0.1:${local}/`), forward.stderr()).toContain('kamal-dev test workspace');
      } finally {
        forward.child.kill('SIGINT');
        taken.close();
      }
      expect(await forward.exit).toBe(0);
    });

    await step('ports: {public: true} publishes on every interface again (the spec changes: containers replaced)', async () => {
      appendFileSync(path.join(project.dir, 'config/dev.yml'), 'ports:\n  public: true\n');
      const r = await run(['deploy', '--count', '5', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('replaced');
      expect(await get(`http://${ips['e2e-dev-2']!}:8080/`)).toContain('kamal-dev test workspace');
    });
    await step('a workspace that is not running: exec NAME exits 1 naming its status; --all skips it', async () => {
      expect((await run(['stop', 'e2e-dev-4'])).code).toBe(0);
      const one = await run(['exec', 'e2e-dev-4', '--', 'true']);
      expect(one.code).toBe(1);
      expect(one.stderr.split('\n')[0]).toBe('ERROR: exec: workspace e2e-dev-4 is stopped, not running');
      const all = await run(['exec', '--all', '--format', 'json', '--', 'echo', '{name}']);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stderr).toContain('e2e-dev-4: skipped (stopped)');
      expect((JSON.parse(all.stdout) as { name: string }[]).map((r) => r.name)).toEqual(['e2e-dev-1', 'e2e-dev-2', 'e2e-dev-3', 'e2e-dev-5']);
    });

    await step('ssh refuses a VM whose host key changed, and says why', async () => {
      const keyFile = `${etcSshDir(vmOf(ips['e2e-dev-5']!).dir)}/ssh_host_ed25519_key`;
      rmSync(keyFile);
      rmSync(`${keyFile}.pub`);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
      const r = await run(['ssh', 'e2e-dev-5', '--', 'true']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/host key changed: pinned SHA256:\S+, server presented SHA256:\S+; refusing to connect/);
    });

  }, 900_000);
});
