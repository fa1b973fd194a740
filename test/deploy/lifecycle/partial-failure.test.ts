import { describe, expect, it } from 'vitest';
import { collectStatus } from '../../../src/deploy/status.js';
import { runError } from '../../fakes/docker-host.js';
import { harness, runDeploy, service, SCOPE, SERVICE, timeline, workspaceOf } from './deps.js';

const DAEMON_ERROR = 'Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting "/root/.kamal-dev/workspaces/myapp-dev-2" to rootfs at "/workspaces/myapp": no space left on device: unknown';

describe('one workspace failing', () => {
  it('leaves the others running; the failed one records the command and exit code, and keeps its VM', async () => {
    const plan = service();
    const h = await harness({
      script: (host, vm) => {
        const workspace = workspaceOf(vm);
        host.expectDeploy(plan, workspace, 'create', workspace.name === 'myapp-dev-2' ? { runFails: runError(DAEMON_ERROR) } : {});
      },
    });

    const { results } = await runDeploy(h, plan, 3);

    const servers = h.provider.servers();
    const failedIp = servers[1]!.ip!;
    const error = results[1]!.error!;
    expect(error).toMatch(new RegExp(`^${failedIp.replaceAll('.', '\\.')}: \`docker run --detach --name myapp-dev-2 --label kamal-dev\\.service=myapp-dev .* exited with 125: `));
    // The reason, not docker's closing pointer to --help.
    expect(error.slice(error.indexOf(' exited with '))).toBe(` exited with 125: docker: ${DAEMON_ERROR}`);
    expect(results.map((r) => [r.name, r.status, r.vm_id])).toEqual([
      ['myapp-dev-1', 'running', servers[0]!.id],
      ['myapp-dev-2', 'failed', servers[1]!.id],
      ['myapp-dev-3', 'running', servers[2]!.id],
    ]);

    const state = await h.readState();
    expect(state.deployments['myapp-dev-1']).toMatchObject({ status: 'running' });
    expect(state.deployments['myapp-dev-3']).toMatchObject({ status: 'running' });
    expect(state.deployments['myapp-dev-2']).toEqual({
      container_name: 'myapp-dev-2',
      status: 'failed',
      error,
      vm_id: servers[1]!.id,
      vm_ip: failedIp,
      deployed_at: null,
      service: SERVICE,
      provider: 'memory',
      zone: 'de-fra1',
      plan: '1xCPU-2GB',
      request_id: expect.any(String),
      host_key: h.connector.hostKey(failedIp),
    });
    // Its VM is kept, and listed.
    expect(servers).toHaveLength(3);
    expect(h.provider.callsOf('destroyVm')).toEqual([]);
    expect(timeline(h.events)['myapp-dev-2']).toEqual([
      'vm.create', 'vm.wait', 'ssh.wait', 'docker.check', 'image.pull', 'env.upload', 'container.start', `done:failed:failed: ${error}`,
    ]);
    // Nothing more ran after the failed docker run.
    const failedHost = h.connector.host(failedIp);
    expect(failedHost.executor.argvs.at(-1)!.slice(0, 2)).toEqual(['docker', 'run']);
    expect(failedHost.containers.size).toBe(0);
    h.connector.assertAllDone();

    for (const [ip, host] of h.connector.hosts()) host.expectInspect(workspaceOf(servers.find((vm) => vm.ip === ip)).name);
    const status = await collectStatus(SCOPE, ['myapp-dev-1', 'myapp-dev-2', 'myapp-dev-3'], h.session().deps);
    expect(status.map((s) => [s.name, s.vm_id, s.vm_state, s.container, s.status])).toEqual([
      ['myapp-dev-1', servers[0]!.id, 'started', 'running', 'running'],
      ['myapp-dev-2', servers[1]!.id, 'started', 'missing', 'failed'],
      ['myapp-dev-3', servers[2]!.id, 'started', 'running', 'running'],
    ]);
    h.connector.assertAllDone();
  });
});
