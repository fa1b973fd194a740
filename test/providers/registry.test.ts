import { describe, expect, it } from 'vitest';
import { parseYaml, validateConfig } from '../../src/config/load.js';
import { ConfigError, CredentialsMissingError } from '../../src/lib/errors.js';
import { Secret } from '../../src/lib/secret.js';
import { PROVIDER_TYPES, providerDefinition, providerKeys } from '../../src/providers/registry.js';
import { DEFAULT_API_URL, DEFAULT_STORAGE_TEMPLATE } from '../../src/providers/upcloud/config.js';
import { UPCLOUD_CREDENTIAL_KEYS } from '../../src/providers/upcloud/credentials.js';

const devYml = (provider: string) => validateConfig(parseYaml(`service: myapp-dev\nprovider:\n${provider}`, 'config/dev.yml'), 'config/dev.yml');

describe('the provider registry', () => {
  it('knows upcloud, hetzner and ssh, each with its own keys and credential variables', () => {
    expect(PROVIDER_TYPES).toEqual(['upcloud', 'hetzner', 'ssh']);
    expect(providerKeys('ssh')).toEqual(['type', 'hosts']);
    expect(providerDefinition('upcloud').credentialKeys).toEqual(UPCLOUD_CREDENTIAL_KEYS);
    expect(providerDefinition('hetzner').credentialKeys).toEqual(['HCLOUD_TOKEN']);
    expect(providerKeys('upcloud')).toEqual(['type', 'zone', 'plan', 'storage_template', 'disk_size', 'api_url']);
    expect(providerKeys('hetzner')).toEqual(['type', 'location', 'server_type', 'image']);
    expect(providerKeys('aws')).toEqual(['type']);
    expect(providerKeys(undefined)).toEqual(['type']);
  });

  it('validates a hetzner `provider:` with its default image', () => {
    expect(devYml('  type: hetzner\n  location: fsn1\n  server_type: cx22\n').provider).toEqual({ type: 'hetzner', location: 'fsn1', server_type: 'cx22', image: 'ubuntu-24.04' });
    expect(() => devYml('  type: hetzner\n  location: fsn1\n  server_type: cx22\n  zone: de-fra1\n')).toThrow(/^config\/dev\.yml: provider\.zone: unknown key/);
  });

  it('validates `provider:` of config/dev.yml with the schema of its type, defaults filled in', () => {
    expect(devYml('  type: upcloud\n  zone: us-nyc1\n  plan: 1xCPU-2GB\n').provider).toEqual({
      type: 'upcloud',
      zone: 'us-nyc1',
      plan: '1xCPU-2GB',
      storage_template: DEFAULT_STORAGE_TEMPLATE,
      api_url: DEFAULT_API_URL,
    });
  });

  it('refuses an unknown provider.type, naming the known types', () => {
    let caught: unknown;
    try {
      devYml('  type: aws\n  zone: fsn1\n  plan: cx22\n');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).exitCode).toBe(2);
    const message = (caught as ConfigError).message;
    expect(message).toMatch(/^config\/dev\.yml: provider\.type: /);
    expect(message).toContain(`one of: ${PROVIDER_TYPES.join(', ')}`);
  });

  it('a key of another provider is unknown for upcloud', () => {
    expect(() => devYml('  type: upcloud\n  zone: us-nyc1\n  plan: 1xCPU-2GB\n  location: fsn1\n')).toThrow(/^config\/dev\.yml: provider\.location: unknown key/);
  });
});

describe('the upcloud definition', () => {
  const config = { type: 'upcloud' as const, zone: 'de-fra1', plan: '1xCPU-2GB', storage_template: DEFAULT_STORAGE_TEMPLATE, api_url: 'http://127.0.0.1:9/1.3' };

  it('builds a provider of the configured placement, handing every credential it will send to onSecret', async () => {
    const secrets: Secret[] = [];
    const provider = await providerDefinition('upcloud').create({
      config,
      env: {},
      secrets: new Map([
        ['UPCLOUD_USERNAME', new Secret('file-user')],
        ['UPCLOUD_PASSWORD', new Secret('file-pass')],
      ]),
      pollIntervalMs: 10,
      onSecret: (secret) => secrets.push(secret),
    });
    expect(provider.placement).toEqual({ provider: 'upcloud', zone: 'de-fra1', plan: '1xCPU-2GB' });
    expect(provider.pricingUrl).toMatch(/^https:\/\//);
    expect(secrets.map((secret) => secret.reveal())).toEqual(['file-pass']);
  });

  it('fails with CredentialsMissingError when neither the environment nor the secrets files have any', async () => {
    const setup = { config, env: { UPCLOUD_API_URL: undefined }, secrets: new Map(), pollIntervalMs: 10, onSecret: () => {} };
    await expect(providerDefinition('upcloud').create(setup)).rejects.toBeInstanceOf(CredentialsMissingError);
  });
});
