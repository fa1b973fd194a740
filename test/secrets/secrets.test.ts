import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providerCredentials } from '../../src/config/credentials.js';
import { loadSecrets, requireSecrets } from '../../src/config/secrets.js';
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

  it('double quotes: multi-line, escapes, and `\\n` kept as two characters unless DOTENV_LINEBREAK_MODE=legacy', async () => {
    const text = 'MULTI="line one\nline two"\nESC="say \\"hi\\" \\\\ back"\nNL="a\\nb"\n';
    expect(await load(text)).toEqual({ MULTI: 'line one\nline two', ESC: 'say "hi" \\ back', NL: 'a\\nb' });
    expect((await load(text, undefined, { DOTENV_LINEBREAK_MODE: 'legacy' })).NL).toBe('a\nb');
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

  it('a failing command names the line and never shows earlier secret values from its stderr', async () => {
    write('.kamal/secrets', 'TOKEN=hunter2hunter2\nX=$(echo "bad $TOKEN" >&2; exit 7)\n');
    const error = await loadSecrets({ secretsFile: path.join(root, '.kamal/secrets'), root, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('.kamal/secrets:2: X: $(…) command exited with 7: bad [REDACTED]');
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

describe('provider credentials', () => {
  const secrets = new Map([
    ['UPCLOUD_TOKEN', new Secret('file-token')],
    ['UPCLOUD_USERNAME', new Secret('file-user')],
    ['UPCLOUD_PASSWORD', new Secret('file-pass')],
  ]);
  const reveal = (c: ReturnType<typeof providerCredentials>) =>
    c === undefined ? undefined : c.kind === 'token' ? { token: c.token.reveal() } : { username: c.username.reveal(), password: c.password.reveal() };

  it('environment first, then the secrets files; a token wins over username and password', () => {
    expect(reveal(providerCredentials({ UPCLOUD_TOKEN: 'env-token' }, secrets))).toEqual({ token: 'env-token' });
    expect(reveal(providerCredentials({}, secrets))).toEqual({ token: 'file-token' });
    const noToken = new Map([...secrets].filter(([k]) => k !== 'UPCLOUD_TOKEN'));
    expect(reveal(providerCredentials({ UPCLOUD_USERNAME: 'env-user' }, noToken))).toEqual({ username: 'env-user', password: 'file-pass' });
    expect(reveal(providerCredentials({ UPCLOUD_USERNAME: 'u' }, new Map()))).toBeUndefined();
    expect(reveal(providerCredentials({ UPCLOUD_TOKEN: '' }, new Map()))).toBeUndefined();
  });
});
