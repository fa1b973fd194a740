import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempProject, writeFile } from '../helpers/project.js';
import { startEmulator, type Emulator } from '../localcloud/emulator/emulator.js';

describe("errors of what a destination's file set name that file (exit 2, nothing created)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ bootDelayMs: 50 });
  });
  afterAll(() => emulator.close());

  const project = (staging: string) => {
    const p = tempProject('seed-example');
    writeFile(p.dir, 'config/dev.staging.yml', staging);
    writeFile(p.dir, '.kamal/secrets.staging', 'GITHUB_TOKEN=t\nDATABASE_URL=d\n');
    const env = { HOME: p.home, UPCLOUD_API_URL: emulator.apiUrl, UPCLOUD_USERNAME: emulator.username, UPCLOUD_PASSWORD: emulator.password };
    return { ...p, run: (args: string[]) => runCli(args, { cwd: p.dir, env }) };
  };

  it('an unknown zone or plan of the destination', async () => {
    for (const [staging, expected] of [
      ['provider:\n  zone: xx-nowhere1\n', 'ERROR: config/dev.staging.yml: provider.zone: unknown UpCloud zone "xx-nowhere1"; valid: '],
      ['provider:\n  plan: 99xCPU-1TB\n', 'ERROR: config/dev.staging.yml: provider.plan: unknown UpCloud plan "99xCPU-1TB"; valid: '],
    ]) {
      const p = project(staging!);
      for (const args of [['deploy', '--dry-run', '-d', 'staging'], ['deploy', '--yes', '-d', 'staging']]) {
        const result = await p.run(args);
        expect(result.stderr.split('\n')[0], args.join(' ')).toContain(expected);
        expect(result.code).toBe(2);
      }
      expect(readdirSync(path.join(p.dir, '.kamal')).sort()).toEqual(['secrets', 'secrets.staging']);
    }
    expect(emulator.stats().requests['POST /1.3/server'] ?? 0).toBe(0);
  });

  it("a listed secret the destination's secrets files do not define", async () => {
    const p = project('secrets: [GITHUB_TOKEN, STAGING_ONLY]\n');
    const result = await p.run(['deploy', '--dry-run', '-d', 'staging']);
    expect(result.stderr.split('\n')[0]).toBe('ERROR: config/dev.staging.yml: secrets[1]: STAGING_ONLY is not defined in .kamal/secrets.staging');
    expect(result.code).toBe(2);
  });
});
