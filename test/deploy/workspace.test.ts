import { describe, expect, it } from 'vitest';
import { envFilePath, workspaceDir, defaultHome } from '../../src/deploy/workspace-paths.js';
import { quoteArgv } from '../../src/remote/quote.js';
import { plan, servicePlan } from './make-plan.js';

const DC = '{"image":"alpine:3","containerEnv":{"A":"1"}}';

/** A devcontainer with one of everything that reaches `docker run`. */
const RICH = {
  image: 'alpine:3',
  containerEnv: { A: '1', B: 'two' },
  mounts: ['type=volume,source=cache,target=/cache', { type: 'bind', source: '/srv/data', target: '/data' }],
  runArgs: ['--shm-size=1g'],
  forwardPorts: [3000],
  capAdd: ['SYS_PTRACE'],
  containerUser: 'dev',
};
const RICH_CONFIG = { defaults: { cpus: 2, memory: '4g' } };
const richPlan = (change: { json?: Record<string, unknown>; config?: Record<string, unknown>; secrets?: Record<string, string> } = {}) =>
  plan({
    devcontainer: JSON.stringify({ ...RICH, ...change.json }),
    config: change.config ?? RICH_CONFIG,
    secrets: change.secrets ?? { TOKEN: 'v1' },
  }).specHash;

describe('spec hash', () => {
  it('is on the container as the kamal-dev.spec-hash label: 64 hex digits', () => {
    const p = plan({ devcontainer: DC, secrets: { TOKEN: 'v1' } });
    expect(p.specHash).toMatch(/^[0-9a-f]{64}$/);
    const i = p.dockerRun.indexOf(`kamal-dev.spec-hash=${p.specHash}`);
    expect(i).toBeGreaterThan(0);
    expect(p.dockerRun[i - 1]).toBe('--label');
  });

  it('is the same for the same inputs, however often it is computed', () => {
    expect(richPlan()).toBe(richPlan());
    expect(plan({ devcontainer: DC }).specHash).toBe(plan({ devcontainer: DC }).specHash);
    // the same devcontainer.json written differently (layout, comments) is the same spec
    const reformatted = `// the same, laid out by hand\n${JSON.stringify(RICH, null, 4)}`;
    expect(plan({ devcontainer: reformatted, config: RICH_CONFIG, secrets: { TOKEN: 'v1' } }).specHash).toBe(richPlan());
  });

  // A literal: any change to the algorithm (or to the docker run it hashes) shows up here. Such a change
  // replaces every running workspace at the next deploy; update the literal only when that is intended.
  // Changed once on purpose: forwardPorts became private by default (`-p 127.0.0.1:N:N`, README).
  it('golden value for a fixed input', () => {
    expect(richPlan()).toBe('84e4fc66ef581f1d23db268d59f0afcd414d8dee7b9ae442566c5acb49dee8f3');
  });

  // Each of these must give the container another spec, so the next deploy replaces it.
  const changes: Array<[string, Parameters<typeof richPlan>[0]]> = [
    ['the image', { json: { image: 'alpine:3.20' } }],
    ['a containerEnv value', { json: { containerEnv: { A: '2', B: 'two' } } }],
    ['a containerEnv variable added', { json: { containerEnv: { A: '1', B: 'two', C: '3' } } }],
    ['a mount string', { json: { mounts: ['type=volume,source=cache2,target=/cache', RICH.mounts[1]] } }],
    ['a mount object', { json: { mounts: [RICH.mounts[0], { type: 'bind', source: '/srv/other', target: '/data' }] } }],
    ['a mount added', { json: { mounts: [...RICH.mounts, 'type=tmpfs,target=/scratch'] } }],
    ['the workspace mount', { json: { workspaceMount: 'type=volume,source=ws,target=/workspaces/myapp' } }],
    ['defaults.cpus', { config: { defaults: { cpus: 4, memory: '4g' } } }],
    ['defaults.memory', { config: { defaults: { cpus: 2, memory: '8g' } } }],
    ['defaults.memory_swap', { config: { defaults: { cpus: 2, memory: '4g', memory_swap: '8g' } } }],
    ['a runArgs value', { json: { runArgs: ['--shm-size=2g'] } }],
    ['a runArgs entry added', { json: { runArgs: ['--shm-size=1g', '--pids-limit=100'] } }],
    ['a forwarded port', { json: { forwardPorts: [3000, 5432] } }],
    ['ports.public', { config: { ...RICH_CONFIG, ports: { public: true } } }],
    ['capAdd', { json: { capAdd: ['SYS_PTRACE', 'NET_ADMIN'] } }],
    ['containerUser', { json: { containerUser: 'root' } }],
    ['overrideCommand', { json: { overrideCommand: false } }],
    ['a secret name added', { secrets: { TOKEN: 'v1', OTHER: 'x' } }],
    ['a secret renamed', { secrets: { TOKEN2: 'v1' } }],
    ['the secrets removed', { secrets: {} }],
  ];
  for (const [what, change] of changes) {
    it(`changes with ${what}`, () => {
      expect(richPlan(change)).not.toBe(richPlan());
    });
  }

  // These do not change the container: a deploy must leave it running.
  const same: Array<[string, Parameters<typeof richPlan>[0]]> = [
    ['a secret value (rotated)', { secrets: { TOKEN: 'rotated' } }],
    ['a capAdd entry repeated', { json: { capAdd: ['SYS_PTRACE', 'SYS_PTRACE'] } }],
    ['lifecycle commands (run by docker exec, not part of the container)', { json: { postCreateCommand: 'make setup', postStartCommand: ['date'] } }],
    ['remoteEnv (given to docker exec only)', { json: { remoteEnv: { EDITOR: 'vim' } } }],
    ['postAttachCommand (run on attach)', { json: { postAttachCommand: 'echo hi' } }],
  ];
  for (const [what, change] of same) {
    it(`does not change with ${what}`, () => {
      expect(richPlan(change)).toBe(richPlan());
    });
  }

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
    const c = {
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
    };
    const p = plan(c);
    const lines = (groups: typeof p.lifecycle.onCreate) => groups.map((g) => g.map((c) => `${c.name ?? '-'}: ${quoteArgv(c.argv)}`));
    expect(lines(p.lifecycle.onCreate)).toEqual([["-: docker exec -u dev -w /code --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 /bin/sh -c 'bundle install'"]]);
    expect(lines(p.lifecycle.updateContent)).toEqual([['-: docker exec -u dev -w /code --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 yarn install']]);
    expect(lines(p.lifecycle.postCreate)).toEqual([
      ["db: docker exec -u dev -w /code --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 /bin/sh -c 'bin/rails db:setup'", 'assets: docker exec -u dev -w /code --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 bin/vite build'],
    ]);
    expect(p.lifecycle.postStart).toEqual([]);
    expect(servicePlan(c).initialize).toEqual([{ name: undefined, argv: ['/bin/sh', '-c', 'echo /home/dev/myapp'] }]);
    expect(p.remoteEnv).toEqual([['EDITOR', 'vim']]);
    expect(p.remoteEnvFile.path).toBe('/root/.kamal-dev/env/myapp-dev-1.remote.env');
    expect(p.remoteEnvFile.content.reveal()).toBe('EDITOR=vim\n');
    expect(String(p.remoteEnvFile.content)).toBe('[REDACTED]');
  });

  it('without remoteUser or containerUser, exec runs as the image user (no -u)', () => {
    const p = plan({ devcontainer: '{"image":"alpine:3","postStartCommand":"date"}' });
    expect(quoteArgv(p.lifecycle.postStart[0]![0]!.argv)).toBe('docker exec -w /workspaces/myapp --env-file /root/.kamal-dev/env/myapp-dev-1.remote.env myapp-dev-1 /bin/sh -c date');
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
