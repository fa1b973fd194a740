import { describe, expect, it } from 'vitest';
import { localBindWarning, placeDevcontainerMounts, placeMetadataMounts, placeMount, rawMountSource } from '../../src/devcontainer/workspace-mounts.js';

const SHARED = { workspace: 'app-2', home: '/home/deploy', sharedVm: true };
const OWN = { ...SHARED, sharedVm: false };
const place = (mount: unknown, raw: string | undefined, target = SHARED) => placeMount(mount, raw, 'dc.json: mounts[0]', target);

describe('the source of a mount as written', () => {
  it('string form (source= or src=), object form, none', () => {
    expect(rawMountSource('type=volume,source=${localWorkspaceFolderBasename}-db,target=/db')).toBe('${localWorkspaceFolderBasename}-db');
    expect(rawMountSource('src=cache,dst=/cache')).toBe('cache');
    expect(rawMountSource({ type: 'bind', source: '${localEnv:HOME}/.ssh', target: '/ssh' })).toBe('${localEnv:HOME}/.ssh');
    expect(rawMountSource('type=tmpfs,target=/scratch')).toBeUndefined();
    expect(rawMountSource(42)).toBeUndefined();
  });
});

describe('volumes on a VM', () => {
  it('a volume named by a variable gets the workspace name on a shared VM, in its own form', () => {
    expect(place('type=volume,source=myapp-db,target=/db', '${localWorkspaceFolderBasename}-db').mount).toBe('type=volume,source=myapp-db-app-2,target=/db');
    expect(place('src=myapp-data,target=/data', '${localWorkspaceFolderBasename}-data').mount).toBe('src=myapp-data-app-2,target=/data');
    expect(place({ type: 'volume', source: 'u-cache', target: '/c' }, '${localEnv:USER}-cache').mount).toEqual({ type: 'volume', source: 'u-cache-app-2', target: '/c' });
  });

  it('left as written: a literal name (shared on purpose), a ${devcontainerId} one (already per workspace), any on a VM of its own', () => {
    expect(place('type=volume,source=shared-cache,target=/c', 'shared-cache').mount).toBe('type=volume,source=shared-cache,target=/c');
    expect(place('type=volume,source=dind-0abc,target=/var/lib/docker', 'dind-${devcontainerId}').mount).toBe('type=volume,source=dind-0abc,target=/var/lib/docker');
    expect(place('type=volume,source=myapp-db,target=/db', '${localWorkspaceFolderBasename}-db', OWN).mount).toBe('type=volume,source=myapp-db,target=/db');
    expect(place('type=volume,target=/anon', undefined).mount).toBe('type=volume,target=/anon');
    expect(place('type=tmpfs,target=/t', undefined).mount).toBe('type=tmpfs,target=/t');
  });
});

describe('bind sources of this machine', () => {
  it('${localEnv:…} and ${env:…}: the path as substituted, named for the warning', () => {
    expect(place('source=/home/u/.ssh,target=/root/.ssh,type=bind', '${localEnv:HOME}/.ssh')).toEqual({
      mount: 'source=/home/u/.ssh,target=/root/.ssh,type=bind',
      local: { where: 'dc.json: mounts[0]', source: '/home/u/.ssh' },
    });
    expect(place({ type: 'bind', source: '/home/u/.aws', target: '/aws' }, '${env:HOME}/.aws', OWN)).toMatchObject({ local: { source: '/home/u/.aws' } });
  });

  it('~ is the SSH user\'s home on the VM', () => {
    expect(place('type=bind,source=~/.config/gh,target=/gh', '~/.config/gh')).toEqual({
      mount: 'type=bind,source=/home/deploy/.config/gh,target=/gh',
      local: { where: 'dc.json: mounts[0]', source: '/home/deploy/.config/gh' },
    });
    expect(place({ type: 'bind', source: '~', target: '/h' }, '~')).toEqual({ mount: { type: 'bind', source: '/home/deploy', target: '/h' }, local: { where: 'dc.json: mounts[0]', source: '/home/deploy' } });
  });

  it("the VM's own paths are left alone: literal ones, the workspace folder", () => {
    expect(place('source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind', '/var/run/docker.sock')).toEqual({ mount: 'source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind' });
    expect(place('type=bind,source=/root/.kamal-dev/workspaces/app-2/sub,target=/s', '${localWorkspaceFolder}/sub')).toEqual({ mount: 'type=bind,source=/root/.kamal-dev/workspaces/app-2/sub,target=/s' });
  });

  it('the warning names the mount and the path', () => {
    expect(localBindWarning({ where: 'devcontainer.json: mounts[1]', source: '/home/u/.ssh' })).toBe('devcontainer.json: mounts[1]: source /home/u/.ssh is a path of this machine; deploy creates it empty on the VM');
  });
});

describe('lists', () => {
  it("devcontainer.json's mounts, by index", () => {
    const placed = placeDevcontainerMounts(
      ['type=volume,source=p-db,target=/db', 'type=bind,source=/home/u/.ssh,target=/ssh', 'type=volume,source=lit,target=/lit'],
      ['${localWorkspaceFolderBasename}-db', '${localEnv:HOME}/.ssh', 'lit'],
      '.devcontainer/devcontainer.json',
      SHARED,
    );
    expect(placed).toEqual({
      mounts: ['type=volume,source=p-db-app-2,target=/db', 'type=bind,source=/home/u/.ssh,target=/ssh', 'type=volume,source=lit,target=/lit'],
      local: [{ where: '.devcontainer/devcontainer.json: mounts[1]', source: '/home/u/.ssh' }],
    });
  });

  it("image metadata: variable volumes placed (before the per-workspace pass), binds and other keys untouched", () => {
    const entries = [
      { id: 'feat', mounts: ['type=volume,source=${localWorkspaceFolderBasename}-x,target=/x', 'type=volume,source=dind-${devcontainerId},target=/d', { type: 'bind', source: '~/.x', target: '/bx' }] },
      { remoteUser: 'node' },
    ];
    expect(placeMetadataMounts(entries, SHARED)).toEqual([
      { id: 'feat', mounts: ['type=volume,source=${localWorkspaceFolderBasename}-x-app-2,target=/x', 'type=volume,source=dind-${devcontainerId},target=/d', { type: 'bind', source: '~/.x', target: '/bx' }] },
      { remoteUser: 'node' },
    ]);
  });
});
