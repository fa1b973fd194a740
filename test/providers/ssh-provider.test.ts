import { describe, expect, it } from 'vitest';
import { parseYaml, validateConfig } from '../../src/config/load.js';
import { providerDefinition, sshTargetsOf } from '../../src/providers/registry.js';
import { parseHost } from '../../src/providers/ssh/hosts.js';
import { SshHostsProvider } from '../../src/providers/ssh/ssh-provider.js';

const request = (index?: number) => ({ name: 'w', sshUser: 'root', sshPublicKey: 'k', labels: {}, ...(index === undefined ? {} : { index }) });
const config = { type: 'ssh' as const, hosts: ['10.0.0.1', 'deploy@10.0.0.2', 'ops@box.example:2222'] };

describe('the ssh provider (your own hosts)', () => {
  it('reads HOST, USER@HOST and USER@HOST:PORT', () => {
    expect(parseHost('10.0.0.1')).toEqual({ entry: '10.0.0.1', host: '10.0.0.1', user: undefined, port: undefined });
    expect(parseHost('deploy@10.0.0.2')).toMatchObject({ host: '10.0.0.2', user: 'deploy', port: undefined });
    expect(parseHost('ops@[2001:db8::5]:2222')).toMatchObject({ host: '2001:db8::5', user: 'ops', port: 2222 });
    for (const bad of ['host:22', '@host', 'a@b@c', 'root@host:0', 'ho st', '']) expect(parseHost(bad), bad).toBeUndefined();
  });

  it('places workspaces round robin by their number; without one (vms.spread: false) on the first host', async () => {
    const provider = new SshHostsProvider(config);
    const hosts = await Promise.all([1, 2, 3, 4, 5].map((i) => provider.createVm(request(i))));
    expect(hosts.map((vm) => vm.id)).toEqual(['10.0.0.1', 'deploy@10.0.0.2', 'ops@box.example:2222', '10.0.0.1', 'deploy@10.0.0.2']);
    expect((await provider.createVm(request())).id).toBe('10.0.0.1');
    expect(hosts[2]).toEqual({ id: 'ops@box.example:2222', name: 'ops@box.example:2222', state: 'started', ip: 'box.example', zone: 'own-hosts', plan: 'own-host', labels: {} });
  });

  it('owns nothing: hosts are always started, one dropped from the config is gone, nothing to pay', async () => {
    const provider = new SshHostsProvider(config);
    expect(provider.ownHosts).toBe(true);
    expect(await provider.getVm('10.0.0.9')).toBeUndefined();
    expect((await provider.listVms()).map((vm) => vm.ip)).toEqual(['10.0.0.1', '10.0.0.2', 'box.example']);
    expect(await provider.estimateCost(3)).toMatchObject({ newVms: 3, hourly: 0, ownHosts: true });
  });

  it('tells SSH the user and port of each host; no credentials are needed', async () => {
    expect(sshTargetsOf(config)).toEqual({ '10.0.0.1': {}, '10.0.0.2': { user: 'deploy' }, 'box.example': { user: 'ops', port: 2222 } });
    expect(providerDefinition('ssh').credentialKeys).toEqual([]);
    const provider = await providerDefinition('ssh').create({ config, env: {}, secrets: new Map(), pollIntervalMs: 1, onSecret: () => undefined });
    expect(provider.placement).toEqual({ provider: 'ssh', zone: 'own-hosts', plan: 'own-host' });
  });

  it('a host listed twice is refused', () => {
    const yml = 'service: s\nprovider:\n  type: ssh\n  hosts: [10.0.0.1, root@10.0.0.1]\n';
    expect(() => validateConfig(parseYaml(yml, 'config/dev.yml'), 'config/dev.yml')).toThrow(/provider\.hosts: each host may be listed once/);
  });
});
