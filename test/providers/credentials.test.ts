import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { ConfigError, CredentialsMissingError } from '../../src/lib/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { credentialLookup } from '../../src/providers/credentials.js';
import { authorizationHeader, resolveUpcloudCredentials, UPCLOUD_CREDENTIAL_KEYS } from '../../src/providers/upcloud/credentials.js';

const from = (values: Record<string, string>) => (name: string) => values[name];

describe('resolveUpcloudCredentials', () => {
  it('takes a token as Bearer', () => {
    const credentials = resolveUpcloudCredentials(from({ UPCLOUD_TOKEN: 'ucat_abc123' }));
    expect(authorizationHeader(credentials).reveal()).toBe('Bearer ucat_abc123');
  });

  it('takes username and password as Basic', () => {
    const credentials = resolveUpcloudCredentials(from({ UPCLOUD_USERNAME: 'api-user', UPCLOUD_PASSWORD: 'p4ss:word' }));
    expect(authorizationHeader(credentials).reveal()).toBe(`Basic ${Buffer.from('api-user:p4ss:word').toString('base64')}`);
  });

  it('never prints the secret parts', () => {
    const credentials = resolveUpcloudCredentials(from({ UPCLOUD_USERNAME: 'api-user', UPCLOUD_PASSWORD: 'hunter22' }));
    const printed = `${JSON.stringify(credentials)} ${inspect(credentials)} ${String(authorizationHeader(credentials))}`;
    expect(printed).not.toContain('hunter22');
    expect(printed).not.toContain(Buffer.from('api-user:hunter22').toString('base64'));
  });

  it('reports no credentials at all as CredentialsMissingError (a ConfigError), so a dry run can go on without cost', () => {
    expect(() => resolveUpcloudCredentials(from({}))).toThrow(CredentialsMissingError);
    expect(() => resolveUpcloudCredentials(from({ UPCLOUD_USERNAME: 'api-user' }))).not.toThrow(CredentialsMissingError);
  });

  it.each([
    [{}, /UPCLOUD_TOKEN, or UPCLOUD_USERNAME and UPCLOUD_PASSWORD/],
    [{ UPCLOUD_USERNAME: 'api-user' }, /UPCLOUD_PASSWORD is not/],
    [{ UPCLOUD_PASSWORD: 'pw-Zq81x' }, /UPCLOUD_USERNAME is not/],
    [{ UPCLOUD_TOKEN: '', UPCLOUD_USERNAME: '' }, /credentials missing/],
    [{ UPCLOUD_TOKEN: 'ucat_Tk91', UPCLOUD_USERNAME: 'api-user', UPCLOUD_PASSWORD: 'pw-Zq81x' }, /both UPCLOUD_TOKEN and UPCLOUD_USERNAME/],
    [{ UPCLOUD_TOKEN: 'ucat_Tk91', UPCLOUD_PASSWORD: 'pw-Zq81x' }, /both/],
  ])('rejects %j with exit 2', (values, message) => {
    let caught: unknown;
    try {
      resolveUpcloudCredentials(from(values));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).exitCode).toBe(2);
    expect((caught as ConfigError).message).toMatch(message);
    expect(`${(caught as ConfigError).message} ${(caught as ConfigError).hint}`).not.toMatch(/pw-Zq81x|ucat_Tk91/);
  });

  it('looks names up through the given function in order, environment first', () => {
    const asked: string[] = [];
    const env: Record<string, string> = { UPCLOUD_TOKEN: 'ucat_env' };
    const secrets: Record<string, string> = { UPCLOUD_TOKEN: 'ucat_file' };
    const credentials = resolveUpcloudCredentials((name) => {
      asked.push(name);
      return env[name] ?? secrets[name];
    });
    expect(authorizationHeader(credentials).reveal()).toBe('Bearer ucat_env');
    expect(asked).toContain('UPCLOUD_TOKEN');
  });
});

describe('credentialLookup', () => {
  const secrets = new Map([
    ['UPCLOUD_TOKEN', new Secret('file-token')],
    ['OTHER_TOKEN', new Secret('file-other')],
  ]);

  it("reads the environment only when it sets one of the provider's own keys", () => {
    const fromEnv = credentialLookup(UPCLOUD_CREDENTIAL_KEYS, { UPCLOUD_USERNAME: 'env-user' }, secrets);
    expect([fromEnv('UPCLOUD_USERNAME'), fromEnv('UPCLOUD_TOKEN')]).toEqual(['env-user', undefined]);
    // Another provider's variable in the environment does not switch UpCloud away from the secrets files.
    const fromFiles = credentialLookup(UPCLOUD_CREDENTIAL_KEYS, { OTHER_TOKEN: 'env-other', UPCLOUD_TOKEN: '' }, secrets);
    expect([fromFiles('UPCLOUD_TOKEN'), fromFiles('UPCLOUD_USERNAME')]).toEqual(['file-token', undefined]);
    expect(credentialLookup(['OTHER_TOKEN'], { OTHER_TOKEN: 'env-other' }, secrets)('OTHER_TOKEN')).toBe('env-other');
  });
});
