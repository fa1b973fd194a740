import { describe, expect, it } from 'vitest';
import { bindWorkspace } from '../../src/deploy/workspace.js';
import { ensureLocalBindSources, ensureSourcesCommand } from '../../src/deploy/bind-sources.js';
import { ScriptedExecutor } from '../fakes/scripted-executor.js';
import { plan, servicePlan } from './make-plan.js';

const DC = JSON.stringify({
  image: 'postgres:16',
  mounts: [
    'source=${localWorkspaceFolderBasename}-db,target=/var/lib/postgresql/data,type=volume',
    { type: 'volume', source: 'shared-cache', target: '/cache' },
    { type: 'bind', source: '${localEnv:HOME}/.ssh', target: '/root/.ssh' },
  ],
});
const ENV = { HOME: '/home/u' };
const mountsOf = (argv: readonly string[]) => argv.flatMap((word, i) => (argv[i - 1] === '--mount' ? [word] : []));

describe('mounts of two workspaces on one VM (vms.spread: false)', () => {
  it("each gets its own volume for a name made by a variable; the literal one is shared; the bind as substituted", () => {
    const service = servicePlan({ devcontainer: DC, env: ENV, spread: false });
    const one = bindWorkspace(service, { name: 'myapp-dev-1', index: 1, home: '/root' });
    const two = bindWorkspace(service, { name: 'myapp-dev-2', index: 2, home: '/root' });
    expect(mountsOf(one.dockerRun)).toEqual([
      'type=bind,source=/root/.kamal-dev/workspaces/myapp-dev-1,target=/workspaces/myapp',
      'source=myapp-db-myapp-dev-1,target=/var/lib/postgresql/data,type=volume',
      'type=volume,src=shared-cache,dst=/cache',
      'type=bind,src=/home/u/.ssh,dst=/root/.ssh',
    ]);
    expect(mountsOf(two.dockerRun)).toEqual([
      'type=bind,source=/root/.kamal-dev/workspaces/myapp-dev-2,target=/workspaces/myapp',
      'source=myapp-db-myapp-dev-2,target=/var/lib/postgresql/data,type=volume',
      'type=volume,src=shared-cache,dst=/cache',
      'type=bind,src=/home/u/.ssh,dst=/root/.ssh',
    ]);
    expect(two.localBinds).toEqual([{ where: '.devcontainer/devcontainer.json: mounts[2]', source: '/home/u/.ssh' }]);
  });

  it('one workspace per VM: every volume as written (the docker run, and so the spec hash, of such a workspace is what it was)', () => {
    const own = plan({ devcontainer: DC, env: ENV });
    expect(mountsOf(own.dockerRun).slice(1)).toEqual([
      'source=myapp-db,target=/var/lib/postgresql/data,type=volume',
      'type=volume,src=shared-cache,dst=/cache',
      'type=bind,src=/home/u/.ssh,dst=/root/.ssh',
    ]);
  });

  it("a feature's volume named by a variable is placed too; its ${devcontainerId} one is per workspace already", () => {
    const service = servicePlan({ devcontainer: '{"image":"base"}', spread: false });
    const metadata = [{ id: 'f', mounts: ['source=dind-${devcontainerId},target=/var/lib/docker,type=volume', 'source=cache-${localEnv:USER},target=/c,type=volume'] }];
    const argv = bindWorkspace(service, { name: 'myapp-dev-2', index: 2, home: '/root' }, { metadata }).dockerRun;
    expect(mountsOf(argv)[1]).toMatch(/^source=dind-[0-9a-v]{52},target=\/var\/lib\/docker,type=volume$/);
    expect(mountsOf(argv)[2]).toBe('source=cache-${localEnv:USER}-myapp-dev-2,target=/c,type=volume');
  });
});

describe('the sources of this machine on the VM', () => {
  const bound = () => plan({ devcontainer: DC, env: ENV });

  it('the command: the paths as arguments, never in the script', () => {
    expect(ensureSourcesCommand(['/home/u/.ssh', '/x y'])).toEqual([
      'sh', '-c', 'for p do [ -e "$p" ] || { mkdir -p -- "$p" && printf "%s\\n" "$p"; } || exit 1; done', 'sh', '/home/u/.ssh', '/x y',
    ]);
  });

  it('a missing source is created, with the warning; one that exists is left alone, without it', async () => {
    for (const [stdout, expected] of [
      ['/home/u/.ssh\n', ['myapp-dev-1: .devcontainer/devcontainer.json: mounts[2]: source /home/u/.ssh is a path of this machine; deploy creates it empty on the VM']],
      ['', []],
    ] as const) {
      const host = new ScriptedExecutor('198.51.100.7', [{ argv: ensureSourcesCommand(['/home/u/.ssh']), result: { stdout } }]);
      const warned: string[] = [];
      await ensureLocalBindSources(host, bound(), { info: () => undefined, warn: (text) => warned.push(text), verbose: () => undefined });
      host.assertDone();
      expect(warned).toEqual(expected);
    }
  });

  it('nothing runs without such a source; a failed mkdir fails the step', async () => {
    const none = new ScriptedExecutor('198.51.100.7', []);
    await ensureLocalBindSources(none, plan({ devcontainer: '{"image":"a","mounts":["source=/srv,target=/srv,type=bind"]}' }), { info: () => undefined, warn: () => undefined, verbose: () => undefined });
    expect(none.runs).toEqual([]);
    const denied = new ScriptedExecutor('198.51.100.7', [{ argv: ensureSourcesCommand(['/home/u/.ssh']), result: { exitCode: 1, stderr: "mkdir: cannot create directory '/home/u': Permission denied\n" } }]);
    await expect(ensureLocalBindSources(denied, bound(), { info: () => undefined, warn: () => undefined, verbose: () => undefined })).rejects.toThrow(/Permission denied/);
  });
});
