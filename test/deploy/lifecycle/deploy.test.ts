import { describe, expect, it } from 'vitest';
import { bindWorkspace } from '../../../src/deploy/workspace.js';
import { KEEP_ALIVE_SCRIPT } from '../../../src/docker/run.js';
import { MANAGED_BY_LABEL, REQUEST_LABEL, SERVICE_LABEL, WORKSPACE_LABEL } from '../../../src/providers/labels.js';
import { harness, runDeploy, service, SERVICE, SSH_PUBLIC_KEY, T0, timeline, workspaceOf } from './deps.js';

const NAMES = ['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3'];
const FRESH = ['vm.create', 'vm.wait', 'ssh.wait', 'docker.check', 'image.pull', 'env.upload', 'container.start', 'lifecycle.create', 'lifecycle.post-start'];

describe('deploy of fresh workspaces', () => {
  it('creates one VM per workspace, runs each container, records every workspace running', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });

    const outcome = await runDeploy(h, plan, 3);

    expect(outcome.plan.newVms).toBe(3);
    const servers = h.provider.servers();
    expect(servers.map((vm) => [vm.name, vm.state])).toEqual(NAMES.map((name) => [name, 'started']));
    expect(h.provider.callsOf('createVm')).toHaveLength(3);
    const state = await h.readState();
    expect(Object.keys(state.deployments)).toEqual(NAMES);
    for (const [i, name] of NAMES.entries()) {
      const vm = servers[i]!;
      const entry = state.deployments[name]!;
      expect(entry).toEqual({
        container_name: name,
        status: 'running',
        vm_id: vm.id,
        vm_ip: vm.ip,
        deployed_at: T0.toISOString(),
        service: SERVICE,
        provider: 'memory',
        zone: 'de-fra1',
        plan: '1xCPU-2GB',
        request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        host_key: h.connector.hostKey(vm.ip!),
      });
      expect(entry.host_key).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      // The create request: the workspace's name and labels (its request label is the entry's), ssh.user and the key.
      expect(h.provider.callsOf('createVm')).toContainEqual([
        {
          name,
          sshUser: 'root',
          sshPublicKey: SSH_PUBLIC_KEY,
          labels: { [MANAGED_BY_LABEL]: 'kamal-dev', [SERVICE_LABEL]: SERVICE, [WORKSPACE_LABEL]: name, [REQUEST_LABEL]: entry.request_id },
          index: i + 1,
        },
      ]);
      expect(vm.labels[REQUEST_LABEL]).toBe(entry.request_id);
      expect(outcome.results[i]).toEqual({ name, status: 'running', vm_id: vm.id, vm_ip: vm.ip, action: 'created', plan: expect.objectContaining({ name }) });
      expect(h.connector.connects(vm.ip!)).toBe(1);
    }
    expect(timeline(h.events)).toEqual(Object.fromEntries(NAMES.map((name) => [name, [...FRESH, 'done:ok:running (created)']])));
    // image.pull says which image
    expect(h.events).toContainEqual({ type: 'step', workspace: 'myapp-dev-2', step: 'image.pull', detail: 'ubuntu:24.04' });
    expect(h.notices).toEqual({ info: ['Cost: 3 new VM(s) of 1xCPU-2GB in de-fra1: 0.04464 EUR/hour, 30.00 EUR/month (672 h)'], warn: [], verbose: [] });
    h.connector.assertAllDone();
  });

  it('runs exactly these commands on a plain Ubuntu VM with Docker, in this order', async () => {
    const LOG_APPEND = ['sh', '-c', 'umask 077 && mkdir -p "$(dirname "$1")" && cat >> "$1"', 'sh', '/root/.kamal-dev/logs/myapp-dev-1.lifecycle.log'];
    const plan = service({ secrets: { DB_PASSWORD: 'hunter2' } });
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });

    await runDeploy(h, plan, 1);

    const [vm] = h.provider.servers();
    const host = h.connector.host(vm!.ip!);
    const history = host.executor.history.map((entry) => (entry.kind === 'run' ? entry.argv : { upload: entry.path, mode: entry.mode, content: entry.content }));
    expect(history).toEqual([
      ['sh', '-c', 'command -v docker'],
      ['docker', 'info', '--format', '{{.ServerVersion}}'],
      // containers kept off the metadata address (vms.metadata_access is false)
      [
        'sh', '-c',
        's=; [ "$(id -u)" = 0 ] || s="sudo -n"; $s iptables -C DOCKER-USER -d 169.254.169.254/32 -j REJECT 2>/dev/null || $s iptables -I DOCKER-USER -d 169.254.169.254/32 -j REJECT',
      ],
      ['sh', '-c', 'printf %s "$HOME"'],
      // The image first: its devcontainer.metadata label is part of the plan.
      ['docker', 'image', 'inspect', '--format', '{{json .Config}}', 'ubuntu:24.04'],
      ['docker', 'pull', 'ubuntu:24.04'],
      ['docker', 'image', 'inspect', '--format', '{{json .Config}}', 'ubuntu:24.04'],
      ['docker', 'inspect', '--type', 'container', 'myapp-dev-1'],
      { upload: '/root/.kamal-dev/env/myapp-dev-1.env', mode: 0o600, content: `DB_PASSWORD_B64=${Buffer.from('hunter2').toString('base64')}\n` },
      ['mkdir', '-p', '/root/.kamal-dev/workspaces/myapp-dev-1'],
      [
        'docker', 'run', '--detach', '--name', 'myapp-dev-1',
        '--label', 'kamal-dev.service=myapp-dev',
        '--label', 'kamal-dev.workspace=myapp-dev-1',
        '--label', expect.stringMatching(/^kamal-dev\.spec-hash=[0-9a-f]{64}$/),
        '--restart', 'unless-stopped',
        '--mount', 'type=bind,source=/root/.kamal-dev/workspaces/myapp-dev-1,target=/workspaces/myapp',
        '--env-file', '/root/.kamal-dev/env/myapp-dev-1.env',
        '-p', '127.0.0.1:3000:3000',
        // remoteUser (dev) is the user of the lifecycle commands below, not the container's: no --user.
        '-w', '/workspaces/myapp',
        '--entrypoint', '/bin/sh', 'ubuntu:24.04', '-c', KEEP_ALIVE_SCRIPT, '-',
      ],
      // remoteEnv (none here) as the env file every exec reads; each hook's output appended to the lifecycle log.
      { upload: '/root/.kamal-dev/env/myapp-dev-1.remote.env', mode: 0o600, content: '\n' },
      ['docker', 'exec', '-u', 'dev', '-w', '/workspaces/myapp', '--env-file', '/root/.kamal-dev/env/myapp-dev-1.remote.env', 'myapp-dev-1', '/bin/sh', '-c', 'npm ci'],
      LOG_APPEND,
      { upload: '/root/.kamal-dev/env/myapp-dev-1.remote.env', mode: 0o600, content: '\n' },
      ['docker', 'exec', '-u', 'dev', '-w', '/workspaces/myapp', '--env-file', '/root/.kamal-dev/env/myapp-dev-1.remote.env', 'myapp-dev-1', 'npm', 'run', 'watch'],
      LOG_APPEND,
      ['docker', 'inspect', '--type', 'container', 'myapp-dev-1'],
    ]);
    const container = host.containers.get('myapp-dev-1')!;
    expect(container.status).toBe('running');
    // What a redeploy compares: the spec hash of the plan bound to this host's home.
    expect(container.labels['kamal-dev.spec-hash']).toBe(bindWorkspace(plan, { name: 'myapp-dev-1', index: 1, home: '/root' }).specHash);
    expect([...container.published]).toEqual([['3000/tcp', 3000]]);
    h.connector.assertAllDone();
  });

  it('a second deploy creates nothing, finds every container unchanged and keeps deployed_at', async () => {
    const plan = service();
    const h = await harness({ script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 3);
    const before = await h.readState();
    for (const [ip, host] of h.connector.hosts()) host.expectDeploy(plan, workspaceOf(h.provider.servers().find((vm) => vm.ip === ip)), 'unchanged');
    h.clock.now = new Date(T0.getTime() + 3_600_000);

    const again = h.session();
    const outcome = await runDeploy(again, plan, 3);

    expect(outcome.plan.newVms).toBe(0);
    expect(h.provider.callsOf('createVm')).toHaveLength(3);
    expect(h.provider.servers()).toHaveLength(3);
    expect(outcome.results.map((r) => [r.name, r.status, r.action])).toEqual(NAMES.map((name) => [name, 'running', 'unchanged']));
    expect(await h.readState()).toEqual(before);
    for (const name of NAMES) expect(before.deployments[name]!.deployed_at).toBe(T0.toISOString());
    expect(timeline(again.events)).toEqual(Object.fromEntries(NAMES.map((name) => [name, ['ssh.wait', 'docker.check', 'done:ok:running (unchanged)']])));
    // No price and no question without new VMs.
    expect(again.notices).toEqual({ info: [], warn: [], verbose: [] });
    for (const host of h.connector.hosts().values()) {
      expect(h.connector.connects(host.ip)).toBe(2);
      expect(host.containers.size).toBe(1);
    }
    h.connector.assertAllDone();
  });

  it('installs Docker with the install script on a VM without it, saying so', async () => {
    const plan = service();
    const h = await harness({ host: { dockerMissing: true }, script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });

    const { results } = await runDeploy(h, plan, 1);

    expect(results.map((r) => [r.name, r.status, r.action])).toEqual([['myapp-dev-1', 'running', 'created']]);
    const host = h.connector.host(h.provider.servers()[0]!.ip!);
    expect(host.executor.argvs.slice(0, 3)).toEqual([
      ['sh', '-c', 'command -v docker'],
      ['sh', '-c', 'curl -fsSL https://get.docker.com | sh'],
      ['docker', 'info', '--format', '{{.ServerVersion}}'],
    ]);
    expect(timeline(h.events)['myapp-dev-1']!.slice(3, 5)).toEqual(['docker.check', 'docker.install']);
    h.connector.assertAllDone();
  });
});
