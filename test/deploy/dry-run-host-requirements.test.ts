import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planFromName } from '../../src/devcontainer/host-requirements.js';
import { runCli } from '../helpers/cli.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';
import { seedProject, type Project } from './project.js';

const DC = '.devcontainer/devcontainer.json';
let project: Project;
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ bootDelayMs: 50 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  project = seedProject();
});
afterEach(() => project.cleanup());

const requiring = (req: object) => project.write(DC, JSON.stringify({ image: 'ruby:3.2', hostRequirements: req }));
const withPlan = (plan: string) => {
  const file = path.join(project.dir, 'config/dev.yml');
  project.write('config/dev.yml', readFileSync(file, 'utf8').replace('plan: 1xCPU-2GB', `plan: ${plan}`));
};
const dryRun = (env: NodeJS.ProcessEnv = {}) => runCli(['deploy', '--dry-run'], { cwd: project.dir, env: { ...project.env, ...env } });
const cloud = () => ({ UPCLOUD_API_URL: emulator.apiUrl, UPCLOUD_USERNAME: emulator.username, UPCLOUD_PASSWORD: emulator.password });
const linesOf = (stderr: string) => stderr.split('\n').filter((line) => line.includes('hostRequirements'));

describe('deploy --dry-run checks hostRequirements against the plan', () => {
  it('planFromName reads NxCPU-MGB and nothing else', () => {
    expect(planFromName('4xCPU-8GB')).toEqual({ name: '4xCPU-8GB', cores: 4, memoryMb: 8192 });
    expect(planFromName('cx22')).toBeUndefined();
    expect(planFromName('DEV-1xCPU-1GB-10GB')).toBeUndefined();
  });

  it('without credentials: from the plan name, saying what it lacks; exit 0, nothing sent', async () => {
    requiring({ cpus: 4, memory: '8gb' });
    const before = emulator.stats().requests;
    const result = await dryRun();
    expect(result.code).toBe(0);
    expect(linesOf(result.stderr)).toEqual([`WARNING: hostRequirements of ${DC}: plan 1xCPU-2GB has 1 CPU, needs 4 and 2048 MB of memory, needs 8192; a deploy would stop here`]);
    expect(emulator.stats().requests).toEqual(before);
  });

  it('without credentials, a plan that meets them; storage said not checked', async () => {
    requiring({ cpus: 2, storage: '20gb' });
    withPlan('2xCPU-4GB');
    const result = await dryRun();
    expect(result.code).toBe(0);
    expect(linesOf(result.stderr)).toEqual([`hostRequirements of ${DC}: met by plan 2xCPU-4GB; storage not checked (read from the plan name)`]);
  });

  it('with credentials: against the plan list, naming the smallest plan that fits', async () => {
    requiring({ cpus: 4, memory: '16gb' });
    const result = await dryRun(cloud());
    expect(result.code).toBe(0);
    expect(linesOf(result.stderr)).toEqual([`WARNING: hostRequirements of ${DC}: plan 1xCPU-2GB has 1 CPU, needs 4 and 2048 MB of memory, needs 16384; a deploy would stop here (a plan that fits: 6xCPU-16GB)`]);
  });

  it('a plan name that does not say its size, without credentials: not checked, and why', async () => {
    requiring({ cpus: 2 });
    withPlan('DEV-1xCPU-1GB-10GB');
    const result = await dryRun();
    expect(result.code).toBe(0);
    expect(linesOf(result.stderr)).toEqual([`WARNING: hostRequirements of ${DC}: not checked (no provider credentials, and the plan name does not say its size)`]);
  });

  it('no hostRequirements: no line', async () => {
    const result = await dryRun();
    expect(result.code).toBe(0);
    expect(linesOf(result.stderr)).toEqual([]);
  });
});
