import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { e2eProject, requirements, SECRET, startCloud, type CloudKind, type LocalCloud, type Project } from './local-cloud.js';
import { step } from '../helpers/step.js';

/**
 * One labelled step of a journey: its failures are reported as `step "NAME": ...` so the step that broke is
 * named, whatever assertion failed inside it.
 */
interface Inspect {
  Id: string;
  State: { Running: boolean; Status: string };
  Config: { Env: string[]; Labels: Record<string, string>; Entrypoint: string[] | null; Cmd: string[] | null };
  HostConfig: { NanoCpus: number; Memory: number; RestartPolicy: { Name: string } };
}

/** The same journey on each provider; only the cloud (its `provider:` lines and variables) differs. */
const PROVIDERS: CloudKind[] = ['upcloud', 'hetzner', 'ssh'];

describe.each(PROVIDERS)('provider %s', (kind) => {
  describeIf(requirements(), 'end to end on the local cloud: deploy, redeploy, stop/start, rebuild, remove', () => {
    let cloud: LocalCloud;
    let project: Project;
    const outputs: string[] = [];
    const processLists: string[] = [];
    const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const result = await project.run(args, env);
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const inspect = async (ip: string, name: string): Promise<Inspect> => {
      const result = await project.ssh(ip, `docker inspect ${name}`);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as Inspect[])[0]!;
    };
    const workspaces = async () => JSON.parse((await run(['list', '--format', 'json'])).stdout) as Record<string, { vm_ip: string; status: string; vm_id: string }>;

    beforeAll(async () => {
      cloud = await startCloud(kind);
      project = e2eProject(cloud);
    }, 120_000);

    afterAll(async () => {
      await cloud?.close();
    }, 120_000);

    // One journey: each step starts from what the one before left (the VMs, the state file, the outputs
    // collected so far), so they run in order inside one test, each labelled in its failures.
    it('deploy, redeploy, stop/start, rebuild, secrets nowhere, remove: one journey in named steps', async () => {
      await step('deploy --count 3 --yes runs 3 containers with env, secret, limits, labels and the keep-alive', async () => {
        // The VMs are processes of this machine (in their own namespaces): sample every process's command line
        // while the deploy runs, to see that the secret never reaches one.
        let samples = 0;
        const sampler = setInterval(() => {
          processLists.push(execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }));
          samples += 1;
        }, 40);
        const result = await run(['deploy', '--count', '3', '--yes', '--verbose']).finally(() => clearInterval(sampler));
        expect(samples).toBeGreaterThan(10);
        // --verbose shows every provider request and every remote command
        if (cloud.createRequestLine) expect(result.stderr).toMatch(cloud.createRequestLine);
        expect(result.stderr).toMatch(/SSH docker run --detach --name e2e-dev-1 .* -> exit 0/);
        expect(result.stderr).toContain('installing Docker'); // the VMs had no Docker: bootstrapped from the install URL
        expect(result.code, result.stderr).toBe(0);
        expect((await cloud.stats()).live_servers).toBe(3);
        const listed = await workspaces();
        expect(Object.keys(listed).sort()).toEqual(['e2e-dev-1', 'e2e-dev-2', 'e2e-dev-3']);
        for (const [name, entry] of Object.entries(listed)) {
          expect(entry.status).toBe('running');
          const info = await inspect(entry.vm_ip, name);
          expect(info.State.Running).toBe(true);
          expect(info.Config.Env).toContain('GREETING=hello from kamal-dev');
          expect(info.Config.Env.some((e) => e.includes(SECRET))).toBe(false);
          expect(info.HostConfig.NanoCpus).toBe(1e9);
          expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
          expect(info.HostConfig.RestartPolicy.Name).toBe('unless-stopped');
          expect(info.Config.Labels).toMatchObject({ 'kamal-dev.service': 'e2e-dev', 'kamal-dev.workspace': name });
          expect([...(info.Config.Entrypoint ?? []), ...(info.Config.Cmd ?? [])].join(' ')).toContain('while sleep 1 & wait $!');
          const decoded = await project.ssh(entry.vm_ip, `docker exec ${name} sh -c 'echo $GITHUB_TOKEN_B64 | base64 -d'`);
          expect(decoded.stdout).toBe(SECRET);
          const created = await project.ssh(entry.vm_ip, `docker exec ${name} cat /tmp/kamal-dev-post-create`);
          expect(created.stdout.trim()).toBe('created');
          const mode = await project.ssh(entry.vm_ip, `stat -c %a /root/.kamal-dev/env/${name}.env`);
          expect(mode.stdout.trim()).toBe('600');
        }
      });

      await step('the same deploy again changes nothing; a changed containerEnv replaces containers and keeps the workspace folder', async () => {
        const before = await workspaces();
        const ids = await Promise.all(Object.entries(before).map(async ([name, e]) => (await inspect(e.vm_ip, name)).Id));
        const again = await run(['deploy', '--count', '3', '--yes']);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout.match(/unchanged/g)).toHaveLength(3);
        const idsAgain = await Promise.all(Object.entries(before).map(async ([name, e]) => (await inspect(e.vm_ip, name)).Id));
        expect(idsAgain).toEqual(ids);

        const [name, entry] = Object.entries(before)[0]!;
        expect((await project.ssh(entry.vm_ip, `docker exec ${name} sh -c 'echo kept > /workspace/notes.txt'`)).code).toBe(0);
        const devcontainer = path.join(project.dir, '.devcontainer/devcontainer.json');
        writeFileSync(devcontainer, readFileSync(devcontainer, 'utf8').replace('"GREETING": "${localEnv:KAMAL_DEV_TEST_GREETING:hello from kamal-dev}"', '"GREETING": "changed greeting"'));
        const changed = await run(['deploy', '--count', '3', '--yes']);
        expect(changed.code, changed.stderr).toBe(0);
        expect(changed.stdout.match(/replaced/g)).toHaveLength(3);
        const info = await inspect(entry.vm_ip, name);
        expect(info.Id).not.toBe(ids[0]);
        expect(info.Config.Env).toContain('GREETING=changed greeting');
        expect((await project.ssh(entry.vm_ip, `docker exec ${name} cat /workspace/notes.txt`)).stdout.trim()).toBe('kept');
        expect((await cloud.stats()).live_servers).toBe(3);
      });

      await step('stop --all stops the containers and keeps the VMs; start --all brings them back', async () => {
        expect((await run(['stop', '--all'])).code).toBe(0);
        const stopped = JSON.parse((await run(['status', '--format', 'json'])).stdout) as Record<string, { vm_state: string; container: string; status: string }>;
        expect(Object.values(stopped).map((s) => [s.vm_state, s.container, s.status])).toEqual(Array(3).fill(['started', 'exited', 'stopped']));
        expect(Object.values(await workspaces()).map((w) => w.status)).toEqual(['stopped', 'stopped', 'stopped']);
        expect((await run(['start', '--all'])).code).toBe(0);
        const started = JSON.parse((await run(['status', '--format', 'json'])).stdout) as Record<string, { container: string; uptime_seconds: number }>;
        expect(Object.values(started).map((s) => s.container)).toEqual(['running', 'running', 'running']);
      });

      await step('list --rebuild brings back every workspace with its name and address after the state file is lost', async () => {
        const before = await workspaces();
        rmSync(path.join(project.dir, '.kamal/dev_state.yml'));
        const rebuilt = await run(['list', '--rebuild', '--format', 'json']);
        expect(rebuilt.code, rebuilt.stderr).toBe(0);
        const after = JSON.parse(rebuilt.stdout) as typeof before;
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
        for (const [name, entry] of Object.entries(before)) {
          expect(after[name]).toMatchObject({ vm_id: entry.vm_id, vm_ip: entry.vm_ip, status: 'running' });
        }
      });

      await step('the secret appears in no output (of every command so far), not in the state file, and not in any process list', async () => {
        const all = outputs.join('\n');
        expect(all.length).toBeGreaterThan(1000);
        expect(all).not.toContain(SECRET);
        expect(all).not.toContain(Buffer.from(SECRET).toString('base64'));
        expect(project.state()).not.toContain(SECRET);
        const processes = [...processLists, execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })].join('\n');
        expect(processes).toContain('sshd');
        expect(processes).not.toContain(SECRET);
        expect(processes).not.toContain(Buffer.from(SECRET).toString('base64'));
      });

      await step('remove --all --force leaves no server it made (own hosts stay, without the containers and their files) and no state file; again exits 0', async () => {
        const hosts = Object.values(await workspaces()).map((w) => w.vm_ip);
        const removed = await run(['remove', '--all', '--force']);
        expect(removed.code, removed.stderr).toBe(0);
        expect((await cloud.stats()).live_servers).toBe(cloud.createsVms ? 0 : 3);
        if (!cloud.createsVms) {
          for (const ip of hosts) {
            expect((await project.ssh(ip, 'docker ps -aq --filter label=kamal-dev.service=e2e-dev')).stdout.trim()).toBe('');
            expect((await project.ssh(ip, 'ls -A /root/.kamal-dev/env /root/.kamal-dev/workspaces')).stdout.replace(/^\/.*:$/gm, '').trim()).toBe('');
          }
        }
        expect(existsSync(path.join(project.dir, '.kamal/dev_state.yml'))).toBe(false);
        const again = await run(['remove', '--all', '--force']);
        expect(again.code).toBe(0);
        expect(again.stderr).toContain('No deployments found');
        const text = [removed, again].map((r) => r.stdout + r.stderr).join('\n');
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
      });
    }, 1_200_000);
  });
});
