import { describe, expect, it } from 'vitest';
import { indexOfName, invalidDockerName, workspaceName } from '../../src/config/naming.js';

describe('naming pattern', () => {
  it('expands {service}, {index} and zero-padded {index:0N}', () => {
    expect(workspaceName('{service}-{index}', 'myapp-dev', 1)).toBe('myapp-dev-1');
    expect(workspaceName('{service}-{index:03}', 'myapp-dev', 7)).toBe('myapp-dev-007');
    expect(workspaceName('ws{index:02}.{service}', 'a', 12)).toBe('ws12.a');
    expect(workspaceName('{service}-{index:03}', 'x', 1234)).toBe('x-1234');
  });

  it('reads the index back from a name made with the pattern, and nothing else', () => {
    expect(indexOfName('{service}-{index}', 'myapp-dev', 'myapp-dev-12')).toBe(12);
    expect(indexOfName('{service}-{index:03}', 'myapp-dev', 'myapp-dev-007')).toBe(7);
    expect(indexOfName('{service}-{index}', 'myapp-dev', 'other-dev-1')).toBeUndefined();
    expect(indexOfName('{service}-{index}', 'my.app', 'myXapp-1')).toBeUndefined();
    expect(indexOfName('{service}-{index}', 'myapp-dev', 'myapp-dev-1x')).toBeUndefined();
  });

  it('rejects names docker would refuse', () => {
    expect(invalidDockerName('ok-name_1.2')).toBeUndefined();
    expect(invalidDockerName('a')).toMatch(/too short/);
    expect(invalidDockerName('-a')).toMatch(/not a valid docker name/);
    expect(invalidDockerName('a b')).toMatch(/not a valid docker name/);
    expect(invalidDockerName('x'.repeat(64))).toMatch(/longer than 63/);
  });
});
