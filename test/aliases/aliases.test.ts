import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../src/config/aliases.js';
import { runCli } from '../helpers/cli.js';
import { tempProject, writeFile } from '../helpers/project.js';

function project(aliases: string, staging?: string) {
  const p = tempProject('seed-example');
  writeFile(p.dir, 'config/dev.yml', `service: myapp-dev\nprovider:\n  type: upcloud\n  zone: us-nyc1\n  plan: 1xCPU-2GB\nssh:\n  key_path: ~/.ssh/id_rsa.pub\n${aliases}`);
  if (staging !== undefined) writeFile(p.dir, 'config/dev.staging.yml', staging);
  return { ...p, run: (args: string[]) => runCli(args, { cwd: p.dir, env: { HOME: p.home } }) };
}

describe('alias command lines are split like a shell, without expanding anything', () => {
  it('splits on whitespace and honours quotes and backslashes', () => {
    expect(splitCommandLine('exec -t NAME -- bin/rails c')).toEqual(['exec', '-t', 'NAME', '--', 'bin/rails', 'c']);
    expect(splitCommandLine(`exec --all -- sh -c 'echo $HOME; ls'`)).toEqual(['exec', '--all', '--', 'sh', '-c', 'echo $HOME; ls']);
    expect(splitCommandLine('a "b \\"c\\" d" e\\ f ""')).toEqual(['a', 'b "c" d', 'e f', '']);
    expect(splitCommandLine('  ')).toEqual([]);
    expect(splitCommandLine("a 'b")).toBeUndefined();
    expect(splitCommandLine('a "b')).toBeUndefined();
  });
});

describe('kamal-dev ALIAS [ARGS...]', () => {
  it('runs the aliased command line with the extra arguments appended', async () => {
    const p = project('aliases:\n  ls: list --format\n  cfg: config --format json\n');
    const ls = await p.run(['ls', 'json']);
    expect(ls.stdout).toBe('{}\n');
    expect(ls.code).toBe(0);
    const cfg = await p.run(['cfg']);
    expect(cfg.code, cfg.stderr).toBe(0);
    expect(JSON.parse(cfg.stdout).aliases).toEqual({ ls: 'list --format', cfg: 'config --format json' });
  });

  it('takes global options before the alias, and an alias of the destination file with -d', async () => {
    const p = project('aliases:\n  zone: config --format json\n', 'provider:\n  zone: de-fra1\naliases:\n  where: config --format yaml\n');
    const zone = await p.run(['-d', 'staging', 'zone']);
    expect(zone.code, zone.stderr).toBe(0);
    expect(JSON.parse(zone.stdout).provider.zone).toBe('de-fra1');
    const where = await p.run(['--destination=staging', 'where']);
    expect(where.code, where.stderr).toBe(0);
    expect(where.stdout).toContain('zone: de-fra1');
    const without = await p.run(['where']);
    expect(without.stderr).toBe("ERROR: unknown command 'where'\n(run with --help for usage)\n");
    expect(without.code).toBe(2);
  });

  it('an unknown word without a dev.yml is an unknown command, as before', async () => {
    const p = tempProject();
    const result = await runCli(['console'], { cwd: p.dir, env: { HOME: p.home } });
    expect(result.stderr).toBe("ERROR: unknown command 'console'\n(run with --help for usage)\n");
    expect(result.code).toBe(2);
  });
});

describe('bad aliases: one line naming the file and key, exit 2, for every command that reads dev.yml', () => {
  const cases: Array<[string, string]> = [
    ['aliases:\n  deploy: list\n', 'ERROR: config/dev.yml: aliases.deploy: shadows the command deploy; an alias needs a name of its own'],
    ['aliases:\n  help: list\n', 'ERROR: config/dev.yml: aliases.help: shadows the command help; an alias needs a name of its own'],
    ['aliases:\n  x: bogus --all\n', 'ERROR: config/dev.yml: aliases.x: expected a kamal-dev command line, its first word one of init, config, deploy, list, status, stop, start, remove, exec, ssh, ssh-config, logs, forward, sync, help; got "bogus"'],
    ['aliases:\n  x: "-d staging list"\n', 'ERROR: config/dev.yml: aliases.x: expected a kamal-dev command line, its first word one of init, config, deploy, list, status, stop, start, remove, exec, ssh, ssh-config, logs, forward, sync, help; got "-d"'],
    ['aliases:\n  x: "list \'oops"\n', 'ERROR: config/dev.yml: aliases.x: a quote is not closed'],
    ['aliases:\n  Bad Name: list\n', 'ERROR: config/dev.yml: aliases.Bad Name: expected an alias name of a-z, 0-9, _ and -, got "Bad Name"'],
    ['aliases:\n  x: ""\n', 'ERROR: config/dev.yml: aliases.x: expected a command line, got ""'],
    ['aliases:\n  x: [list]\n', 'ERROR: config/dev.yml: aliases.x: expected a command line, got a list'],
    ['aliases: list\n', 'ERROR: config/dev.yml: aliases: expected record, got "list"'],
  ];
  it.each(cases)('%j', async (aliases, expected) => {
    const p = project(aliases);
    for (const args of [['config'], ['deploy', '--dry-run']]) {
      const result = await p.run(args);
      expect(result.stderr.split('\n')[0], args.join(' ')).toBe(expected);
      expect(result.code).toBe(2);
    }
    expect(readdirSync(path.join(p.dir, '.kamal'))).toEqual(['secrets']);
  });

  it('a bad alias of the destination file names that file', async () => {
    const p = project('', 'aliases:\n  remove: list\n');
    const result = await p.run(['config', '-d', 'staging']);
    expect(result.stderr.split('\n')[0]).toBe('ERROR: config/dev.staging.yml: aliases.remove: shadows the command remove; an alias needs a name of its own');
    expect(result.code).toBe(2);
  });
});
