import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envFilePath, workspaceDir, defaultHome } from '../../src/deploy/workspace-paths.js';
import { quoteArgv } from '../../src/remote/quote.js';
import { plan } from './make-plan.js';

const DC = '{"image":"alpine:3","containerEnv":{"A":"1"}}';

describe('spec hash', () => {
  it('is the sha256 of the run argv without its own label, plus the env file keys, and is on the container', () => {
    const p = plan({ devcontainer: DC, secrets: { TOKEN: 'v1' } });
    const i = p.dockerRun.indexOf(`kamal-dev.spec-hash=${p.specHash}`);
    expect(i).toBeGreaterThan(0);
    expect(p.dockerRun[i - 1]).toBe('--label');
    const without = [...p.dockerRun.slice(0, i - 1), ...p.dockerRun.slice(i + 1)];
    expect(p.specHash).toBe(createHash('sha256').update(JSON.stringify({ argv: without, envFileKeys: ['TOKEN_B64'] })).digest('hex'));
  });

  it('ignores secret values, follows everything else', () => {
    const base = plan({ devcontainer: DC, secrets: { TOKEN: 'v1' } }).specHash;
    expect(plan({ devcontainer: DC, secrets: { TOKEN: 'rotated' } }).specHash).toBe(base);
    expect(plan({ devcontainer: DC, secrets: { TOKEN: 'v1', OTHER: 'x' } }).specHash).not.toBe(base);
    expect(plan({ devcontainer: DC.replace('"1"', '"2"'), secrets: { TOKEN: 'v1' } }).specHash).not.toBe(base);
    expect(plan({ devcontainer: DC.replace('alpine:3', 'alpine:3.20'), secrets: { TOKEN: 'v1' } }).specHash).not.toBe(base);
    expect(plan({ devcontainer: DC, secrets: { TOKEN: 'v1' }, config: { defaults: { memory: '1g' } } }).specHash).not.toBe(base);
  });

  it('no secret value anywhere in the plan except the env file content', () => {
    const p = plan({ devcontainer: DC, secrets: { TOKEN: 's3cr3t-value' } });
    const { envFileContent, ...rest } = p;
    expect(JSON.stringify(rest)).not.toContain('s3cr3t-value');
    expect(JSON.stringify(rest)).not.toContain(Buffer.from('s3cr3t-value').toString('base64'));
    expect(envFileContent.reveal()).toBe(`TOKEN_B64=${Buffer.from('s3cr3t-value').toString('base64')}\n`);
  });
});

describe('lifecycle commands', () => {
  it('string -> sh -c, array -> exec form, object -> one parallel group, all as remoteUser in workspaceFolder', () => {
    const p = plan({
      devcontainer: JSON.stringify({
        image: 'alpine:3',
        remoteUser: 'dev',
        workspaceFolder: '/code',
        remoteEnv: { EDITOR: 'vim', GONE: null },
        onCreateCommand: 'bundle install',
        updateContentCommand: ['yarn', 'install'],
        postCreateCommand: { db: 'bin/rails db:setup', assets: ['bin/vite', 'build'] },
        postStartCommand: '',
        initializeCommand: 'echo ${localWorkspaceFolder}',
      }),
    });
    const lines = (groups: typeof p.lifecycle.onCreate) => groups.map((g) => g.map((c) => `${c.name ?? '-'}: ${quoteArgv(c.argv)}`));
    expect(lines(p.lifecycle.onCreate)).toEqual([["-: docker exec -u dev -w /code -e EDITOR=vim myapp-dev-1 /bin/sh -c 'bundle install'"]]);
    expect(lines(p.lifecycle.updateContent)).toEqual([['-: docker exec -u dev -w /code -e EDITOR=vim myapp-dev-1 yarn install']]);
    expect(lines(p.lifecycle.postCreate)).toEqual([
      ["db: docker exec -u dev -w /code -e EDITOR=vim myapp-dev-1 /bin/sh -c 'bin/rails db:setup'", 'assets: docker exec -u dev -w /code -e EDITOR=vim myapp-dev-1 bin/vite build'],
    ]);
    expect(p.lifecycle.postStart).toEqual([]);
    expect(p.lifecycle.initialize).toEqual([{ name: undefined, argv: ['/bin/sh', '-c', 'echo /home/dev/myapp'] }]);
    expect(p.remoteEnv).toEqual([['EDITOR', 'vim']]);
  });

  it('without remoteUser or containerUser, exec runs as the image user (no -u)', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3","postStartCommand":"date"}' });
    expect(quoteArgv(p.lifecycle.postStart[0]![0]!.argv)).toBe('docker exec -w /workspaces/myapp myapp-dev-1 /bin/sh -c date');
  });
});

describe('remote paths', () => {
  it('are under the SSH user home', () => {
    expect(defaultHome('root')).toBe('/root');
    expect(defaultHome('ubuntu')).toBe('/home/ubuntu');
    expect(envFilePath('/root', 'w-1')).toBe('/root/.kamal-dev/env/w-1.env');
    expect(workspaceDir('/home/u', 'w-1')).toBe('/home/u/.kamal-dev/workspaces/w-1');
  });
});
