import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHetznerEmulator, type HetznerEmulator } from '../localcloud/hetzner/emulator.js';
import { runCli } from '../helpers/cli.js';
import { seedProject, type Project } from './project.js';

const DEV_YML = 'config/dev.yml';
const SECRETS = 'GITHUB_TOKEN=ghp_supersecretvalue\nDATABASE_URL=postgres://u:pw@db/x\n';

interface Case {
  what: string;
  provider: string;
  /** The ERROR line, after `ERROR: `. */
  message: string | RegExp;
  hint?: string;
  /** Without HCLOUD_TOKEN in the environment. */
  noToken?: boolean;
}

const hetzner = (lines: string) => `  type: hetzner\n${lines}`;
const CASES: Case[] = [
  { what: 'an unknown type names the known ones', provider: '  type: aws\n  zone: x\n', message: 'config/dev.yml: provider.type: expected one of: upcloud, hetzner, ssh, got "aws"' },
  {
    what: 'a Hetzner location the API does not know names the closest',
    provider: hetzner('  location: fsn2\n  server_type: cx22\n'),
    message: 'config/dev.yml: provider.location: unknown Hetzner location "fsn2"; valid: fsn1, hel1, nbg1',
    hint: 'did you mean "fsn1"?',
  },
  {
    what: 'a Hetzner server type the API does not know names the closest',
    provider: hetzner('  location: nbg1\n  server_type: cx222\n'),
    message: /^config\/dev\.yml: provider\.server_type: unknown Hetzner server type "cx222" .*valid: cx21, cx22$/,
    hint: 'did you mean "cx22"?',
  },
  {
    what: 'a Hetzner image the API does not know names the closest',
    provider: hetzner('  location: fsn1\n  server_type: cx22\n  image: ubuntu-2404\n'),
    message: 'config/dev.yml: provider.image: unknown Hetzner image "ubuntu-2404" for x86; valid: debian-13, ubuntu-24.04',
    hint: 'did you mean "ubuntu-24.04"?',
  },
  { what: 'a missing token names the variable', provider: hetzner('  location: fsn1\n  server_type: cx22\n'), message: 'Hetzner credentials missing: set HCLOUD_TOKEN', noToken: true },
  ...['host:22', 'root@', 'a b', 'root@host:port', 'root@host:70000', 'user@@host'].map((entry) => ({
    what: `an ssh host "${entry}" that is not HOST, USER@HOST or USER@HOST:PORT is named`,
    provider: `  type: ssh\n  hosts:\n    - 127.0.0.9\n    - "${entry}"\n`,
    message: `config/dev.yml: provider.hosts[1]: expected HOST, USER@HOST or USER@HOST:PORT, got ${JSON.stringify(entry)}`,
  })),
];

describe('deploy --yes with a bad provider: section: one-line error naming the file and key, exit 2, nothing created', () => {
  let em: HetznerEmulator;
  let project: Project;
  let seedYml: string;
  beforeAll(async () => {
    em = await startHetznerEmulator({ bootDelayMs: 20 });
    project = seedProject();
    project.write('.kamal/secrets', SECRETS);
    seedYml = readFileSync(path.join(project.dir, DEV_YML), 'utf8');
  });
  afterAll(async () => {
    project.cleanup();
    await em.close();
  });

  for (const c of CASES) {
    it(c.what, async () => {
      project.write(DEV_YML, seedYml.replace(/provider:\n(?: {2}.*\n)+/, `provider:\n${c.provider}`));
      const env = { ...project.env, HCLOUD_ENDPOINT: em.apiUrl, ...(c.noToken ? {} : { HCLOUD_TOKEN: em.token }) };
      const result = await runCli(['deploy', '--yes'], { cwd: project.dir, env });
      expect(result.code, result.stderr).toBe(2);
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
      expect(errors).toHaveLength(1);
      const message = errors[0]!.slice('ERROR: '.length);
      if (typeof c.message === 'string') expect(message).toBe(c.message);
      else expect(message).toMatch(c.message);
      if (c.hint) expect(result.stderr).toContain(c.hint);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr + result.stdout).not.toContain(em.token);
      expect(em.requestLog().filter((r) => r.method !== 'GET')).toEqual([]);
      expect(em.stats().live_servers).toBe(0);
      expect(existsSync(path.join(project.dir, '.kamal/dev_state.yml'))).toBe(false);
    });
  }
});
