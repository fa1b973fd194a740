import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialLookup } from '../../src/providers/credentials.js';
import { resolveUpcloudCredentials, UPCLOUD_CREDENTIAL_KEYS } from '../../src/providers/upcloud/credentials.js';
import { requireSecrets } from '../../src/config/secrets.js';
import { loadSecrets } from '../../src/project/secrets.js';
import { ConfigError } from '../../src/lib/errors.js';
import { Secret } from '../../src/lib/secret.js';

let root: string;
const env = { PATH: process.env.PATH, FROM_ENV: 'env-value', SHARED: 'env-shared' };

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

async function load(text: string, common?: string, extraEnv: Record<string, string> = {}) {
  write('.kamal/secrets', text);
  if (common !== undefined) write('.kamal/secrets-common', common);
  const loaded = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env: { ...env, ...extraEnv } });
  return Object.fromEntries([...loaded.values].map(([k, v]) => [k, v.reveal()]));
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-secrets-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("secrets: Kamal's dotenv semantics", () => {
  it('export prefixes, quotes, comments, spaces, `key: value`, empty values, dotted keys', async () => {
    expect(
      await load(
        [
          '# a comment',
          'export GITHUB_TOKEN="ghp_example"',
          "SINGLE='literal $FROM_ENV \\n $(echo no)'",
          'UNQUOTED = plain value   # trailing comment',
          'HASH=abc#not-part',
          'YAML_STYLE: yes',
          'EMPTY=',
          'lower.case_key=ok',
          '  INDENTED=1',
          '',
        ].join('\n'),
      ),
    ).toEqual({
      GITHUB_TOKEN: 'ghp_example',
      SINGLE: 'literal $FROM_ENV \\n $(echo no)',
      UNQUOTED: 'plain value',
      HASH: 'abc',
      YAML_STYLE: 'yes',
      EMPTY: '',
      'lower.case_key': 'ok',
      INDENTED: '1',
    });
  });

  it('double quotes: multi-line, escapes; `\\n` and `\\r` become line breaks (dotenv), whatever DOTENV_LINEBREAK_MODE says', async () => {
    const text = 'MULTI="line one\nline two"  # comment after the closing quote\nESC="say \\"hi\\" \\\\ back"\nNL="a\\nb\\rc"\nAFTER=$MULTI\n';
    const expected = { MULTI: 'line one\nline two', ESC: 'say "hi" \\ back', NL: 'a\nb\rc', AFTER: 'line one\nline two' };
    expect(await load(text)).toEqual(expected);
    expect(await load(text, undefined, { DOTENV_LINEBREAK_MODE: 'legacy' })).toEqual(expected);
  });

  it("single quotes may span lines too and stay literal; '#' inside quotes is not a comment", async () => {
    expect(await load("KEY='-----BEGIN-----\nabc $X \\n\n-----END-----'\nHASH=\"a # b\" # c\nNEXT=1\n")).toEqual({
      KEY: '-----BEGIN-----\nabc $X \\n\n-----END-----',
      HASH: 'a # b',
      NEXT: '1',
    });
  });

  it('CRLF line endings, a byte-order mark and keys with a dash (dotenv accepts them)', async () => {
    expect(await load('\uFEFFA=1\r\nexport B="two\r\nlines"\r\nmy-key=3\r\n')).toEqual({ A: '1', B: 'two\nlines', 'my-key': '3' });
  });

  it('$VAR sees the value a key had on the lines above, not a later redefinition', async () => {
    expect(await load('A=first\nB=$A\nA=second\nC=${A}\n')).toEqual({ A: 'second', B: 'first', C: 'second' });
  });

  it('$VAR and ${VAR}: earlier keys of the same file first, then the environment, else empty; \\$ is literal', async () => {
    expect(
      await load('SHARED=file-shared\nA=$FROM_ENV/${SHARED}/$UNSET_VAR/end\nB="${A}-x"\nC=\\$FROM_ENV\nD=$ alone\nLATER=$E\nE=too-late\n'),
    ).toEqual({ SHARED: 'file-shared', A: 'env-value/file-shared//end', B: 'env-value/file-shared//end-x', C: '$FROM_ENV', D: '$ alone', LATER: '', E: 'too-late' });
  });

  it('$(command) runs through sh in the project folder, output chomped; variables are expanded first; \\$( is literal', async () => {
    write('config/master.key', 'abc123\n');
    expect(
      await load('KEY=$(cat config/master.key)\nNAME=world\nGREETING="hello $(echo $NAME | tr a-z A-Z)!"\nNESTED=$(echo $(echo inner))\nLIT=\\$(not run)\nPWD_IS=$(pwd)\n'),
    ).toEqual({ KEY: 'abc123', NAME: 'world', GREETING: 'hello WORLD!', NESTED: 'inner', LIT: '$(not run)', PWD_IS: root });
  });

  it('variables inside a command are expanded before it runs; its output is not expanded again', async () => {
    expect(await load("IN=$(printf '%s' '$FROM_ENV')\nOUT=$(printf '\\\\044FROM_ENV')\n")).toEqual({ IN: 'env-value', OUT: '$FROM_ENV' });
  });

  it('secrets-common is read first; the main file wins; each file sees only its own earlier keys', async () => {
    expect(await load('B=main-b\nC=$A\n', 'A=common-a\nB=common-b\n')).toEqual({ A: 'common-a', B: 'main-b', C: '' });
  });

  it('export KEY without a value is fine when KEY was set earlier', async () => {
    expect(await load('A=1\nexport A\n')).toEqual({ A: '1' });
  });

  it('values are Secrets: they print and serialise as [REDACTED]', async () => {
    write('.kamal/secrets', 'TOKEN=hunter2hunter2\n');
    const loaded = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env });
    const token = loaded.values.get('TOKEN')!;
    expect(`${token}`).toBe('[REDACTED]');
    expect(inspect(loaded.values)).not.toContain('hunter2');
    expect(JSON.stringify(Object.fromEntries(loaded.values))).not.toContain('hunter2');
  });

  it('no secrets files: nothing loaded; listing a secret is then an error naming both files', async () => {
    const loaded = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env });
    expect(loaded.values.size).toBe(0);
    expect(() => requireSecrets(loaded, ['GITHUB_TOKEN'], 'config/dev.yml')).toThrow(
      'config/dev.yml: secrets[0]: GITHUB_TOKEN is not defined: no secrets file (looked for .kamal/secrets-common, .kamal/secrets)',
    );
  });

  it('a failing command names the file, line and key, never its output or the command', async () => {
    write('.kamal/secrets', 'TOKEN=hunter2hunter2\n\nX=$(echo "out $TOKEN"; echo "err $TOKEN" >&2; exit 7)\n');
    const error = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as Error).message).toBe('.kamal/secrets:3: X: $(…) command exited with 7');
    expect((error as ConfigError).hint).toBe('Run the command in a shell from the project folder to see its output.');
  });

  it('a command killed by a signal says so', async () => {
    write('.kamal/secrets', 'X=$(kill -9 $$)\n');
    const error = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('.kamal/secrets:1: X: $(…) command was killed by SIGKILL');
  });

  it('a command that waits for input gets end-of-file instead of hanging', async () => {
    expect(await load('ANSWER=$(read line || echo no-input)\n')).toEqual({ ANSWER: 'no-input' });
  });

  it('a command that runs too long is an error naming the line', async () => {
    write('.kamal/secrets', 'A=1\nSLOW=$(sleep 5)\n');
    const error = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env, commandTimeoutMs: 200 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('.kamal/secrets:2: SLOW: $(…) command timed out');
  });
});

async function loadError(text: string | Buffer, common?: string): Promise<ConfigError> {
  write('.kamal/secrets', text as string);
  if (common !== undefined) write('.kamal/secrets-common', common);
  const error = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).exitCode).toBe(2);
  expect((error as Error).message).not.toContain('\n');
  expect((error as Error).message).not.toContain('hunter2');
  return error as ConfigError;
}

describe('secrets: what dotenv would skip silently is a one-line error naming the file and line, never a value', () => {
  const cases: [string, string | Buffer, string][] = [
    ['a line that is not KEY=value', 'A=1\n!!! hunter2\n', '.kamal/secrets:2: expected KEY=value (a key of letters, digits, _, . and -)'],
    ['a pasted value on its own line', 'A=1\n  hunter2hunter2  \n', '.kamal/secrets:2: expected KEY=value (a key of letters, digits, _, . and -)'],
    ['a key without =', 'A hunter2\n', '.kamal/secrets:1: expected KEY=value (a key of letters, digits, _, . and -)'],
    ['`key:value` without a space', 'A:hunter2\n', '.kamal/secrets:1: expected KEY=value (a key of letters, digits, _, . and -)'],
    ['an unterminated double quote', 'A=1\n# x\nB="hunter2\nC=3\n', '.kamal/secrets:3: B: unterminated double quote'],
    ['an unterminated single quote', "A='hunter2\n", '.kamal/secrets:1: A: unterminated single quote'],
    ['text after the closing quote', "A='hunter2' more\n", '.kamal/secrets:1: A: unexpected text after the closing quote'],
    ['text after a multi-line closing quote', 'A="hunter2\nx" more\n', '.kamal/secrets:1: A: unexpected text after the closing quote'],
    ['backquotes', 'A=`hunter2`\n', ".kamal/secrets:1: A: backquotes are not part of Kamal's secrets format; use single or double quotes"],
    ['binary data', Buffer.from('A=1\nB=2\n\u0000\u00ff'), '.kamal/secrets:3: not a text file (binary data)'],
    ['a bare export of an unset key', 'export A\n', '.kamal/secrets:1: export A: has no value and is not set earlier in the file'],
    ['a bare export of a key set later', 'export A\nA=1\n', '.kamal/secrets:1: export A: has no value and is not set earlier in the file'],
    ['a bare export of two keys, one unset', 'A=1\nexport A B\n', '.kamal/secrets:2: export B: has no value and is not set earlier in the file'],
    ['an error after a multi-line value names its own line', 'A="x\ny\nz"\nB="hunter2\n', '.kamal/secrets:4: B: unterminated double quote'],
  ];
  for (const [what, text, message] of cases) {
    it(what, async () => expect((await loadError(text)).message).toBe(message));
  }

  it('a bare export only sees keys of its own file, not of secrets-common', async () => {
    expect((await loadError('export A\n', 'A=1\n')).message).toBe('.kamal/secrets:1: export A: has no value and is not set earlier in the file');
  });

  it('an error in secrets-common names that file', async () => {
    expect((await loadError('A=1\n', 'B="hunter2\n')).message).toBe('.kamal/secrets-common:1: B: unterminated double quote');
  });
});

describe('provider credentials', () => {
  const secrets = new Map([
    ['UPCLOUD_TOKEN', new Secret('file-token')],
    ['UPCLOUD_USERNAME', new Secret('file-user')],
    ['UPCLOUD_PASSWORD', new Secret('file-pass')],
  ]);
  const resolve = (env: Record<string, string>, files: ReadonlyMap<string, Secret>) => {
    const c = resolveUpcloudCredentials(credentialLookup(UPCLOUD_CREDENTIAL_KEYS, env, files));
    return c.kind === 'bearer' ? { token: c.token.reveal() } : { username: c.username, password: c.password.reveal() };
  };

  it('takes the environment when it sets any credential, otherwise the secrets files', () => {
    expect(resolve({ UPCLOUD_TOKEN: 'env-token' }, secrets)).toEqual({ token: 'env-token' });
    expect(resolve({ UPCLOUD_USERNAME: 'u', UPCLOUD_PASSWORD: 'p' }, secrets)).toEqual({ username: 'u', password: 'p' });
    const noToken = new Map([...secrets].filter(([k]) => k !== 'UPCLOUD_TOKEN'));
    expect(resolve({}, noToken)).toEqual({ username: 'file-user', password: 'file-pass' });
    expect(resolve({ UPCLOUD_TOKEN: '' }, new Map([['UPCLOUD_TOKEN', new Secret('file-token')]]))).toEqual({ token: 'file-token' });
  });

  it('is a usage error (exit 2) when absent, half-set, or of both kinds in one source', () => {
    expect(() => resolve({}, new Map())).toThrow(/UpCloud credentials missing/);
    expect(() => resolve({ UPCLOUD_USERNAME: 'u' }, secrets)).toThrow(/UPCLOUD_USERNAME is set but UPCLOUD_PASSWORD is not/);
    expect(() => resolve({}, secrets)).toThrow(/both UPCLOUD_TOKEN and UPCLOUD_USERNAME/);
  });
});
