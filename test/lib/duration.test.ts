import { describe, expect, it } from 'vitest';
import { staleWorkspaces } from '../../src/deploy/stale.js';
import { parseDuration } from '../../src/lib/duration.js';
import type { Entry } from '../../src/state/schema.js';

describe('parseDuration', () => {
  it('takes a whole number and one unit: s, m, h, d', () => {
    expect([parseDuration('20s'), parseDuration('30m'), parseDuration('2h'), parseDuration('7d'), parseDuration('0m')]).toEqual([20, 1800, 7200, 604_800, 0]);
  });

  it.each(['', '30', 'm', '1.5h', '-1h', '+1h', '1 h', ' 1h', '1h ', '1H', '1w', '1h30m', '30min', '1e3s', '0x10s', '1234567890s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('staleWorkspaces', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const entry = (status: Entry['status'], deployedAt: string | null, extra: Partial<Entry> = {}): Entry => ({ container_name: 'x', status, deployed_at: deployedAt, ...extra });
  const deployments = {
    old: entry('running', '2026-12-01T10:59:59.000Z'),
    hour: entry('running', '2026-12-01T11:00:00.000Z'),
    new: entry('running', '2026-12-01T11:30:00.000Z'),
    never: entry('provisioning', null),
    oldStopped: entry('stopped', '2026-11-01T00:00:00.000Z'),
    newVmStopped: entry('failed', '2026-12-01T11:59:00.000Z', { vm_stopped_at: '2026-12-01T11:59:30.000Z' }),
  };

  it('--older-than: deployed longer ago than the duration (exactly that long is not older); never deployed is not stale', () => {
    expect(staleWorkspaces(deployments, { olderThanSeconds: 3600 }, now)).toEqual(['old', 'oldStopped']);
  });

  it('--stopped: the container or the VM stopped; both filters together: both must hold', () => {
    expect(staleWorkspaces(deployments, { stopped: true }, now)).toEqual(['oldStopped', 'newVmStopped']);
    expect(staleWorkspaces(deployments, { stopped: true, olderThanSeconds: 3600 }, now)).toEqual(['oldStopped']);
  });
});
