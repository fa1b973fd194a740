import { describe, expect, it } from 'vitest';
import { hostRequirements, planShortfalls, smallestFittingPlan } from '../../src/devcontainer/host-requirements.js';
import { hookGroup } from '../../src/devcontainer/lifecycle.js';
import { mountObjectArg, mountStringProblem } from '../../src/devcontainer/mounts.js';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';
import { DevcontainerSchema } from '../../src/devcontainer/schema.js';
import { devcontainerId, substituteString } from '../../src/devcontainer/variables.js';

const ctx = { env: { HOME: '/home/me', URL: 'x' }, projectFolder: '/src/shop' };
const parse = (text: string) => parseDevcontainer(text, 'dc.json', ctx);

describe('devcontainer.json parsing', () => {
  it('accepts comments and trailing commas (JSONC), and defaults workspaceFolder from the project folder', () => {
    const dc = parse('// header\n{\n  /* block */ "image": "ruby:3.2", // trailing\n  "forwardPorts": [3000,],\n}\n');
    expect(dc.json).toEqual({ image: 'ruby:3.2', forwardPorts: [3000] });
    expect(dc.workspaceFolder).toBe('/workspaces/shop');
  });

  it('accepts the properties kamal-dev ignores (customizations, portsAttributes, an empty features object…)', () => {
    const dc = parse('{"image":"a:1","name":"x","customizations":{"vscode":{}},"portsAttributes":{"3000":{"label":"web"}},"features":{},"shutdownAction":"none","waitFor":"postCreateCommand","updateRemoteUserUID":false,"postAttachCommand":"x"}');
    expect(dc.json.image).toBe('a:1');
  });

  it('substitutes local variables in every string value but never in keys', () => {
    const dc = parse('{"image":"a:${localEnv:URL}","containerEnv":{"${localEnv:HOME}":"${localEnv:HOME}/${localWorkspaceFolderBasename}"}}');
    expect(dc.json.image).toBe('a:x');
    expect(dc.json.containerEnv).toEqual({ '${localEnv:HOME}': '/home/me/shop' });
  });

  it('keeps ${localWorkspaceFolder} in mounts for the per-workspace pass, resolves it elsewhere', () => {
    const dc = parse('{"image":"a:1","mounts":["source=${localWorkspaceFolder}/c,target=/c"],"initializeCommand":"ls ${localWorkspaceFolder}"}');
    expect(dc.json.mounts).toEqual(['source=${localWorkspaceFolder}/c,target=/c']);
    expect(dc.json.initializeCommand).toBe('ls /src/shop');
  });
});

describe('variables (the reference CLI quirks)', () => {
  const lookup = (name: string, args: readonly string[]) => (name === 'localEnv' ? ({ HOME: '/h' } as Record<string, string>)[args[0]!] ?? args[1] ?? '' : undefined);
  it('defaults stop at the next colon; nesting is not supported; unknown ones stay literal', () => {
    expect(substituteString('${localEnv:URL:http://example.com}', lookup)).toBe('http');
    expect(substituteString('${localEnv:X:def:ault}', lookup)).toBe('def');
    expect(substituteString('${localEnv:NOPE:${localEnv:HOME}}', lookup)).toBe('${localEnv}');
    expect(substituteString('${foo} ${templateOption:x}', lookup)).toBe('${foo} ${templateOption:x}');
  });

  it('devcontainerId matches the spec test vector', () => {
    expect(
      devcontainerId({ 'devcontainer.local_folder': '/tmp/dctest/t1', 'devcontainer.config_file': '/tmp/dctest/t1/.devcontainer/devcontainer.json' }),
    ).toBe('1bv4kn9b975srpvb7dq92pd4c3m4ldar9aer4losedefkf4i1j9q');
  });
});

describe('lifecycle forms and mounts', () => {
  it('string, array, object; empty ones are skipped', () => {
    expect(hookGroup('make')).toEqual([{ name: undefined, argv: ['/bin/sh', '-c', 'make'] }]);
    expect(hookGroup(['yarn', 'install'])).toEqual([{ name: undefined, argv: ['yarn', 'install'] }]);
    expect(hookGroup({ a: 'x', b: ['y', 'z'], c: '', d: [] })).toEqual([
      { name: 'a', argv: ['/bin/sh', '-c', 'x'] },
      { name: 'b', argv: ['y', 'z'] },
    ]);
    expect(hookGroup('  ')).toEqual([]);
    expect(hookGroup([])).toEqual([]);
    expect(hookGroup(undefined)).toEqual([]);
  });

  it('mount strings need a target (target, dst or destination); objects become type,src,dst', () => {
    expect(mountStringProblem('source=a,target=/b')).toBeUndefined();
    expect(mountStringProblem('src=a,dst=/b,type=volume')).toBeUndefined();
    expect(mountStringProblem('type=tmpfs,destination=/t')).toBeUndefined();
    expect(mountStringProblem('source=a,type=bind')).toMatch(/no target=/);
    expect(mountObjectArg({ type: 'bind', source: '/a', target: '/b' })).toBe('type=bind,src=/a,dst=/b');
    expect(mountObjectArg({ type: 'volume', target: '/v' })).toBe('type=volume,dst=/v');
  });
});

describe('hostRequirements', () => {
  const plans = [
    { name: '1xCPU-2GB', cores: 1, memoryMb: 2048, storageGb: 50, storageTier: undefined },
    { name: '2xCPU-4GB', cores: 2, memoryMb: 4096, storageGb: 80, storageTier: undefined },
    { name: '4xCPU-8GB', cores: 4, memoryMb: 8192, storageGb: 160, storageTier: undefined },
  ];

  it('converts sizes to the units of the plans and names what a plan lacks and a plan that fits', () => {
    const req = hostRequirements(parse('{"image":"a:1","hostRequirements":{"cpus":2,"memory":"4gb","storage":"60gb"}}').json);
    expect(req).toEqual({ cpus: 2, memoryMb: 4096, storageGb: 60 });
    expect(planShortfalls(req, plans[0]!)).toEqual(['1 CPU, needs 2', '2048 MB of memory, needs 4096', '50 GB of storage, needs 60']);
    expect(planShortfalls(req, { ...plans[0]!, storageGb: 100 })).toEqual(['1 CPU, needs 2', '2048 MB of memory, needs 4096']);
    expect(planShortfalls(req, plans[1]!)).toEqual([]);
    expect(smallestFittingPlan(req, plans)?.name).toBe('2xCPU-4GB');
    expect(smallestFittingPlan({ cpus: 64, memoryMb: undefined, storageGb: undefined }, plans)).toBeUndefined();
    expect(hostRequirements(parse('{"image":"a:1","hostRequirements":{"memory":"1536mb"}}').json).memoryMb).toBe(1536);
    expect(hostRequirements(parse('{"image":"a:1"}').json)).toEqual({ cpus: undefined, memoryMb: undefined, storageGb: undefined });
  });
});

describe('a wrong type for every property is an error naming the file, line, column and property', () => {
  // extensions and settings are legacy properties taken as they are, of any type, and ignored (build-parse.test.ts).
  for (const key of Object.keys(DevcontainerSchema.shape).filter((k) => k !== 'extensions' && k !== 'settings')) {
    const wrong = key === 'appPort' ? 'true' : '12345';
    it(key, () => {
      const text = `{\n  "${key}": ${wrong},\n  ${key === 'image' ? '' : '"image": "a:1"'}\n}`;
      const column = key.length + 7;
      expect(() => parse(text)).toThrow(new RegExp(`^dc\\.json:2:${column}: ${key.replace('$', '\\$')}: .+$`));
    });
  }
});
