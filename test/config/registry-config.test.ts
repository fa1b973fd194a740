import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempProject, writeFile } from '../helpers/project.js';

const VALID = `service: myapp-dev
provider:
  type: upcloud
  zone: us-nyc1
  plan: 1xCPU-2GB
secrets: [KAMAL_REGISTRY_PASSWORD]
`;
const registry = (lines: string) => `${VALID}registry:\n${lines}`;

/** [name, dev.yml text, what the one error line must contain] */
const CASES: Array<[string, string, RegExp]> = [
  ['registry a string', `${VALID}registry: ghcr.io\n`, /^ERROR: config\/dev\.yml: registry: expected object, got "ghcr\.io"$/],
  ['registry without server', registry('  username: deployer\n  password: [KAMAL_REGISTRY_PASSWORD]\n'), /^ERROR: config\/dev\.yml: registry\.server: is required/],
  ['server a number', registry('  server: 5000\n'), /^ERROR: config\/dev\.yml: registry\.server: expected a registry host such as ghcr\.io/],
  ['server with a scheme', registry('  server: https://ghcr.io\n'), /^ERROR: config\/dev\.yml: registry\.server: expected a host without the scheme/],
  ['server on the loopback', registry('  server: localhost:5555\n'), /^ERROR: config\/dev\.yml: registry\.server: is this machine's loopback, which the VMs cannot reach \(Kamal's local registry is not supported\)/],
  ['server with capitals and a space', registry('  server: "My Registry"\n'), /^ERROR: config\/dev\.yml: registry\.server: expected a registry host such as ghcr\.io or registry\.example\.com:5000, optionally with a lowercase path/],
  ['unknown registry key', registry('  server: ghcr.io\n  usernme: me\n'), /^ERROR: config\/dev\.yml: registry\.usernme: unknown key \(did you mean registry\.username\?\)$/],
  ['username a number', registry('  server: ghcr.io\n  username: 42\n  password: [KAMAL_REGISTRY_PASSWORD]\n'), /^ERROR: config\/dev\.yml: registry\.username: expected a user name, or a list with the name of one secret/],
  ['password written in the file', registry('  server: ghcr.io\n  username: me\n  password: hunter22\n'), /^ERROR: config\/dev\.yml: registry\.password: a password written in config\/dev\.yml; name a secret instead: a list with the name of one secret, e\.g\. \[KAMAL_REGISTRY_PASSWORD\]/],
  ['password a list of two', registry('  server: ghcr.io\n  username: me\n  password: [A, B]\n'), /^ERROR: config\/dev\.yml: registry\.password: expected a list with the name of one secret/],
  ['password naming no variable', registry('  server: ghcr.io\n  username: me\n  password: [not-a-name]\n'), /^ERROR: config\/dev\.yml: registry\.password\[0\]: expected the name of a secret listed under secrets:/],
  ['password naming an unlisted secret', registry('  server: ghcr.io\n  username: me\n  password: [REGISTRY_TOKEN]\n'), /^ERROR: config\/dev\.yml: registry\.password: REGISTRY_TOKEN is not listed under secrets:$/],
  ['username naming an unlisted secret', registry('  server: ghcr.io\n  username: [REGISTRY_USER]\n  password: [KAMAL_REGISTRY_PASSWORD]\n'), /^ERROR: config\/dev\.yml: registry\.username: REGISTRY_USER is not listed under secrets:$/],
  ['username without password', registry('  server: ghcr.io\n  username: me\n'), /^ERROR: config\/dev\.yml: registry\.password: is required with registry\.username$/],
  ['password without username', registry('  server: ghcr.io\n  password: [KAMAL_REGISTRY_PASSWORD]\n'), /^ERROR: config\/dev\.yml: registry\.username: is required with registry\.password$/],
];

describe('registry: in config/dev.yml: bad input through the real binary', () => {
  it.each(CASES)('%s: exit 2 with one ERROR line naming the file and key, nothing written', async (_name, yml, expected) => {
    const { dir, home } = tempProject();
    writeFile(dir, 'config/dev.yml', yml);
    const before = readdirSync(dir).sort();
    const result = await runCli(['config'], { cwd: dir, env: { HOME: home } });
    expect(result.code).toBe(2);
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('deploy refuses it the same way before anything is created (no state, no request)', async () => {
    const { dir, home } = tempProject();
    writeFile(dir, 'config/dev.yml', registry('  server: ghcr.io\n  username: me\n  password: [REGISTRY_TOKEN]\n'));
    const result = await runCli(['deploy', '--yes'], { cwd: dir, env: { HOME: home, UPCLOUD_API_URL: 'http://127.0.0.1:9/never' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: config\/dev\.yml: registry\.password: REGISTRY_TOKEN is not listed under secrets:$/m);
    expect(existsSync(path.join(dir, '.kamal'))).toBe(false);
  });

  it("Kamal's shapes are accepted: a literal user name or a secret's name in a list, the password a secret's name", async () => {
    for (const lines of ['  server: ghcr.io/acme\n  username: deployer\n  password: [KAMAL_REGISTRY_PASSWORD]\n', '  server: 10.0.0.5:5000\n  username: [KAMAL_REGISTRY_PASSWORD]\n  password: [KAMAL_REGISTRY_PASSWORD]\n', '  server: registry.internal:5000\n']) {
      const { dir, home } = tempProject();
      writeFile(dir, 'config/dev.yml', registry(lines));
      const result = await runCli(['config'], { cwd: dir, env: { HOME: home } });
      expect(result.stderr.split('\n').filter((line) => line.startsWith('ERROR: '))).toEqual([]);
    }
  });
});

describe('deploy --dry-run with registry:', () => {
  it('says per workspace whether it builds and pushes or pulls, with the registry reference of the image', async () => {
    const { dir, home } = tempProject();
    writeFile(dir, 'config/dev.yml', `${VALID}vms:\n  count: 3\nregistry:\n  server: registry.example.test:5000\n  username: deployer\n  password: [KAMAL_REGISTRY_PASSWORD]\n`);
    writeFile(dir, '.kamal/secrets', 'KAMAL_REGISTRY_PASSWORD=not-shown-7c1\n');
    writeFile(dir, '.devcontainer/Dockerfile', 'FROM alpine:3\n');
    writeFile(dir, '.devcontainer/devcontainer.json', '{"build":{"dockerfile":"Dockerfile"}}');
    const text = await runCli(['deploy', '--dry-run'], { cwd: dir, env: { HOME: home } });
    expect(text.code, text.stderr).toBe(0);
    const ref = /image: build (registry\.example\.test:5000\/kamal-dev\/myapp-dev:[0-9a-f]{20}) /.exec(text.stdout)?.[1];
    expect(ref).toBeDefined();
    const lines = text.stdout.split('\n').filter((line) => line.startsWith('  registry: '));
    expect(lines).toEqual([
      `  registry: build and push ${ref} (one workspace of the run does; pulled instead when registry.example.test:5000 has it)`,
      `  registry: pull ${ref} (after one workspace of the run has built and pushed it, or at once when registry.example.test:5000 has it)`,
      `  registry: pull ${ref} (after one workspace of the run has built and pushed it, or at once when registry.example.test:5000 has it)`,
    ]);
    expect(text.stdout).toContain(` ${ref} `);
    expect(text.stdout + text.stderr).not.toContain('not-shown-7c1');
    const json = JSON.parse((await runCli(['deploy', '--dry-run', '--format', 'json'], { cwd: dir, env: { HOME: home } })).stdout) as { workspaces: { registry?: string; image: { ref: string } }[] };
    expect(json.workspaces.map((w) => [w.registry, w.image.ref])).toEqual([['build-and-push', ref], ['pull', ref], ['pull', ref]]);
    expect(existsSync(path.join(dir, '.kamal', 'dev_state.yml'))).toBe(false);
  });
});
