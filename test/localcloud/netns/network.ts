import { run, tryRun } from './exec.js';
import type { InstanceNames, VmNames } from './names.js';

export async function createBridge(names: InstanceNames): Promise<void> {
  await run('ip', ['link', 'add', names.bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `${names.bridgeIp}/24`, 'dev', names.bridge]);
  await run('ip', ['link', 'set', names.bridge, 'up']);
}

export async function deleteLink(name: string): Promise<void> {
  await tryRun('ip', ['link', 'del', name]);
}

/** The VM's namespace with `eth0` (the far end of a veth on the bridge), lo up and the default route via the bridge. */
export async function createVmNetwork(instance: InstanceNames, vm: VmNames): Promise<void> {
  await run('ip', ['netns', 'add', vm.netns]);
  await run('ip', ['link', 'add', vm.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', vm.netns]);
  await run('ip', ['link', 'set', vm.veth, 'master', instance.bridge]);
  await run('ip', ['-n', vm.netns, 'addr', 'add', `${vm.ip}/24`, 'dev', 'eth0']);
  await run('ip', ['-n', vm.netns, 'link', 'set', 'lo', 'up']);
  await setVmLink(vm, true);
  await setDefaultRoute(instance, vm);
}

/** The default route via the bridge (to the metadata address, among others); a link going down takes it away. */
export async function setDefaultRoute(instance: InstanceNames, vm: VmNames): Promise<void> {
  await run('ip', ['-n', vm.netns, 'route', 'replace', 'default', 'via', instance.bridgeIp]);
}

/** A stopped VM is unreachable (timeouts, as with a real one), not merely refusing connections. */
export async function setVmLink(vm: VmNames, up: boolean): Promise<void> {
  const state = up ? 'up' : 'down';
  await run('ip', ['-n', vm.netns, 'link', 'set', 'eth0', state]);
  await run('ip', ['link', 'set', vm.veth, state]);
}

export async function deleteNetns(name: string): Promise<void> {
  await tryRun('ip', ['netns', 'del', name]);
}

export async function listNetns(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' ')[0] ?? '')
    .filter(Boolean);
}

export async function listLinks(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'link', 'show']);
  // "12: kdl016v2@if3: <...>" -> kdl016v2
  return stdout
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '')
    .filter(Boolean);
}

/** IPv4 addresses configured on the host's interfaces. */
export async function hostAddresses(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  return stdout
    .split('\n')
    .map((line) => /\sinet\s+([\d.]+)\//.exec(line)?.[1] ?? '')
    .filter(Boolean);
}
