import { describe, expect, it } from 'vitest';
import { hostnameFor, labelProblem, vmState } from '../../src/providers/upcloud/server-mapping.js';

describe('hostnameFor', () => {
  it.each([
    ['myapp-dev-1', 'myapp-dev-1'],
    ['My_App.dev-001', 'my-app-dev-001'],
    ['--x__y--', 'x-y'],
    ['___', 'kamal-dev'],
    ['a'.repeat(70), 'a'.repeat(63)],
    [`${'b'.repeat(62)}_c`, 'b'.repeat(62)],
  ])('%s -> %s', (name, hostname) => {
    expect(hostnameFor(name)).toBe(hostname);
    expect(hostnameFor(name)).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});

describe('labelProblem', () => {
  it('accepts the labels kamal-dev sets', () => {
    expect(labelProblem({ managedBy: 'kamal-dev', 'kamal-dev-service': 'myapp-dev', 'kamal-dev-request': '5b0c6f8e-1f7e-4e8e-9a53-3f0f1b2c3d4e' })).toBeUndefined();
  });
  it.each([
    [{ _os: 'x' }, 'invalid UpCloud label key "_os"'],
    [{ k: 'x' }, 'invalid UpCloud label key "k"'],
    [{ 'has space': 'x' }, 'invalid UpCloud label key "has space"'],
    [{ ['k'.repeat(33)]: 'x' }, `invalid UpCloud label key "${'k'.repeat(33)}"`],
    [{ key: 'v'.repeat(256) }, 'UpCloud label "key" is longer than 255 characters'],
  ])('rejects %j', (labels, message) => expect(labelProblem(labels)).toBe(message));
});

describe('vmState', () => {
  it('keeps the four known states and counts any other as busy', () => {
    expect(['started', 'stopped', 'maintenance', 'error', 'pending_delete'].map(vmState)).toEqual(['started', 'stopped', 'maintenance', 'error', 'maintenance']);
  });
});
