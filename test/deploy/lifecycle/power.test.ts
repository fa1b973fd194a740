import { describe, expect, it } from 'vitest';
import { setPower } from '../../../src/deploy/power.js';
import { MemoryProvider } from '../../fakes/memory-provider.js';
import { harness, runDeploy, service, T0, timeline, workspaceOf } from './deps.js';

const DEVCONTAINER = JSON.stringify({
  image: 'ubuntu:24.04',
  remoteUser: 'dev',
  workspaceFolder: '/workspaces/myapp',
  remoteEnv: { RAILS_ENV: 'development' },
  postStartCommand: { watch: ['npm', 'run', 'watch'], log: 'tail -F log/development.log' },
});

describe('stop and start', () => {
  it('stop: docker stop; start: docker start, then postStartCommand as remoteUser in workspaceFolder, on the VM the plan is bound to', async () => {
    const plan = service({ devcontainer: DEVCONTAINER });
    // A VM whose SSH user is not root: the plan must be bound to the home the host reports.
    const h = await harness({ host: { home: '/home/ubuntu' }, script: (host, vm) => host.expectDeploy(plan, workspaceOf(vm), 'create') });
    await runDeploy(h, plan, 1);
    const [vm] = h.provider.servers();
    const host = h.connector.host(vm!.ip!);
    const deployed = (await h.readState()).deployments['myapp-dev-1']!;
    expect(host.containers.get('myapp-dev-1')!.mounts[0]).toBe('type=bind,source=/home/ubuntu/.kamal-dev/workspaces/myapp-dev-1,target=/workspaces/myapp');
    const ran = host.executor.runs.length;
    const execs = host.execs.length;

    host.expectStop('myapp-dev-1');
    const stop = h.session();
    expect(await setPower('stop', ['myapp-dev-1'], plan, stop.deps)).toEqual([{ name: 'myapp-dev-1', ok: true }]);
    expect(host.executor.argvs.slice(ran)).toEqual([['docker', 'stop', '-t', '10', 'myapp-dev-1']]);
    expect(host.containers.get('myapp-dev-1')!.status).toBe('exited');
    expect((await h.readState()).deployments['myapp-dev-1']).toEqual({ ...deployed, status: 'stopped' });
    expect(timeline(stop.events)).toEqual({ 'myapp-dev-1': ['container.stop', 'done:ok:stopped'] });

    h.clock.now = new Date(T0.getTime() + 60_000);
    host.expectStart(plan, { name: 'myapp-dev-1', index: 1 });
    const start = h.session();
    expect(await setPower('start', ['myapp-dev-1'], plan, start.deps)).toEqual([{ name: 'myapp-dev-1', ok: true }]);

    const afterStop = ran + 1;
    expect(host.executor.argvs.slice(afterStop, afterStop + 3)).toEqual([
      ['docker', 'start', 'myapp-dev-1'],
      ['sh', '-c', 'printf %s "$HOME"'],
      // The image's devcontainer.metadata may set remoteUser and remoteEnv.
      ['docker', 'image', 'inspect', '--format', '{{json .Config}}', 'ubuntu:24.04'],
    ]);
    // The two commands of the object form run in parallel: in either order.
    // remoteEnv reaches them through its own env file (never a command line); their output goes to the lifecycle log.
    const remoteEnv = '/home/ubuntu/.kamal-dev/env/myapp-dev-1.remote.env';
    expect(host.executor.uploads.at(-1)).toMatchObject({ path: remoteEnv, mode: 0o600, content: expect.stringContaining('RAILS_ENV=development') });
    expect(host.executor.argvs.slice(afterStop + 3).sort()).toEqual([
      ['docker', 'exec', '-u', 'dev', '-w', '/workspaces/myapp', '--env-file', remoteEnv, 'myapp-dev-1', '/bin/sh', '-c', 'tail -F log/development.log'],
      ['docker', 'exec', '-u', 'dev', '-w', '/workspaces/myapp', '--env-file', remoteEnv, 'myapp-dev-1', 'npm', 'run', 'watch'],
      ['sh', '-c', 'umask 077 && mkdir -p "$(dirname "$1")" && cat >> "$1"', 'sh', '/home/ubuntu/.kamal-dev/logs/myapp-dev-1.lifecycle.log'],
    ]);
    // Run in the started container.
    expect(host.execs.slice(execs).map((e) => [e.container, e.user, e.workdir, e.envFile, e.argv[0]]).sort()).toEqual([
      ['myapp-dev-1', 'dev', '/workspaces/myapp', remoteEnv, '/bin/sh'],
      ['myapp-dev-1', 'dev', '/workspaces/myapp', remoteEnv, 'npm'],
    ]);
    const container = host.containers.get('myapp-dev-1')!;
    expect([container.status, container.startedAt]).toEqual(['running', h.clock.now]);
    expect((await h.readState()).deployments['myapp-dev-1']).toEqual({ ...deployed, status: 'running' });
    expect(timeline(start.events)).toEqual({ 'myapp-dev-1': ['container.start', 'lifecycle.post-start', 'done:ok:running'] });
    expect(h.connector.calls.slice(1).map((c) => [c.pinned, c.outcome])).toEqual([
      [deployed.host_key, 'connected'],
      [deployed.host_key, 'connected'],
    ]);
    h.connector.assertAllDone();
  });

  it('a workspace without a VM address fails, naming why, and nothing is connected to', async () => {
    const plan = service();
    const h = await harness({ provider: new MemoryProvider().failNextCreate({ after: false }) });
    await runDeploy(h, plan, 1);
    expect((await h.readState()).deployments['myapp-dev-1']).toMatchObject({ status: 'failed', vm_id: null, vm_ip: null });

    const session = h.session();
    expect(await setPower('start', ['myapp-dev-1'], plan, session.deps)).toEqual([
      { name: 'myapp-dev-1', ok: false, error: 'no VM recorded (deploy it first)' },
    ]);
    expect(h.connector.calls).toEqual([]);
    expect(timeline(session.events)).toEqual({ 'myapp-dev-1': ['done:failed:failed: no VM recorded (deploy it first)'] });
  });
});
