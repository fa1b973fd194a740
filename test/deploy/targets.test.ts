import { describe, expect, it } from 'vitest';
import { selectTargets, workspacesOf } from '../../src/deploy/targets.js';
import type { Entry, State } from '../../src/state/schema.js';

const entry = (extra: Partial<Entry> = {}): Entry => ({ container_name: 'x', status: 'running', vm_id: 'v', vm_ip: '1.2.3.4', deployed_at: null, ...extra });

describe('workspace selection', () => {
  const state: State = {
    deployments: {
      'myapp-dev-10': entry({ service: 'myapp-dev' }),
      'myapp-dev-2': entry(),
      'myapp-dev-1': entry(),
      'other-1': entry({ service: 'other' }),
      'custom-name': entry({ service: 'myapp-dev' }),
      'unrelated': entry(),
    },
  };

  it('finds the service workspaces by recorded service or by the naming pattern, ordered by index', () => {
    expect(workspacesOf(state, 'myapp-dev', '{service}-{index}').map((w) => w.name)).toEqual([
      'myapp-dev-1',
      'myapp-dev-2',
      'myapp-dev-10',
      'custom-name',
    ]);
  });

  it('keeps the first N, creates the missing ones and never drops extras', () => {
    const existing = workspacesOf(state, 'myapp-dev', '{service}-{index}');
    expect(selectTargets(existing, 6)).toMatchObject({ newCount: 2, extra: [] });
    const fewer = selectTargets(existing, 2);
    expect(fewer.keep.map((w) => w.name)).toEqual(['myapp-dev-1', 'myapp-dev-2']);
    expect(fewer.extra.map((w) => w.name)).toEqual(['myapp-dev-10', 'custom-name']);
    expect(fewer.newCount).toBe(0);
  });
});
