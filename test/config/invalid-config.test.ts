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
`;

/** [name, dev.yml text, what the one error line must contain] */
const CASES: Array<[string, string, RegExp]> = [
  ['empty file', '', /config\/dev\.yml: the file is empty/],
  ['only a comment', '# nothing\n', /config\/dev\.yml: the file is empty/],
  ['list at the root', '- service: a\n', /config\/dev\.yml: expected a mapping at the top level, got a list/],
  ['scalar at the root', 'hello\n', /config\/dev\.yml: expected a mapping at the top level, got string/],
  ['yaml syntax: bad indentation', 'service: a\n  provider: b\n zone: c\n', /config\/dev\.yml:\d+:\d+: YAML syntax error/],
  ['yaml syntax: unclosed quote', 'service: "myapp\nprovider: {}\n', /config\/dev\.yml:\d+:\d+: YAML syntax error/],
  ['yaml syntax: unclosed flow map', 'provider: {type: upcloud\n', /config\/dev\.yml:\d+:\d+: YAML syntax error/],
  ['yaml syntax: duplicate key', `${VALID}service: again\n`, /config\/dev\.yml:\d+:\d+: YAML syntax error: Map keys must be unique/],
  ['missing service', VALID.replace('service: myapp-dev\n', ''), /config\/dev\.yml: service: is required/],
  ['service a number', VALID.replace('myapp-dev', '42'), /config\/dev\.yml: service: expected a service name, got 42/],
  ['service with a space', VALID.replace('myapp-dev', '"my app"'), /config\/dev\.yml: service: expected a docker name/],
  ['service starting with a dash', VALID.replace('myapp-dev', '"-app"'), /config\/dev\.yml: service: expected a docker name/],
  ['service with a slash', VALID.replace('myapp-dev', 'a/b'), /config\/dev\.yml: service: expected a docker name/],
  ['unknown top-level key', `${VALID}servce: x\n`, /config\/dev\.yml: servce: unknown key \(did you mean service\?\)/],
  ['unknown provider key', VALID.replace('zone:', 'zonee:'), /config\/dev\.yml: provider\.zonee: unknown key \(did you mean provider\.zone\?\)/],
  ['unknown ssh key', `${VALID}ssh:\n  usr: root\n`, /config\/dev\.yml: ssh\.usr: unknown key \(did you mean ssh\.user\?\)/],
  ['unknown defaults key', `${VALID}defaults:\n  cpu: 2\n`, /config\/dev\.yml: defaults\.cpu: unknown key \(did you mean defaults\.cpus\?\)/],
  ['unknown vms key', `${VALID}vms:\n  counts: 2\n`, /config\/dev\.yml: vms\.counts: unknown key \(did you mean vms\.count\?\)/],
  ['unknown naming key', `${VALID}naming:\n  patern: x\n`, /config\/dev\.yml: naming\.patern: unknown key \(did you mean naming\.pattern\?\)/],
  ['missing provider', 'service: myapp-dev\n', /config\/dev\.yml: provider: is required/],
  ['provider a string', 'service: a1\nprovider: upcloud\n', /config\/dev\.yml: provider: expected a mapping with type: upcloud | hetzner | ssh, got "upcloud"/],
  ['provider type aws', VALID.replace('type: upcloud', 'type: aws'), /config\/dev\.yml: provider\.type: expected one of: upcloud, hetzner, ssh, got "aws"/],
  ['missing zone', VALID.replace('  zone: us-nyc1\n', ''), /config\/dev\.yml: provider\.zone: is required/],
  ['missing plan', VALID.replace('  plan: 1xCPU-2GB\n', ''), /config\/dev\.yml: provider\.plan: is required/],
  ['empty plan', VALID.replace('plan: 1xCPU-2GB', 'plan: ""'), /config\/dev\.yml: provider\.plan: expected a plan/],
  ['disk_size a string', `${VALID}  disk_size: big\n`, /config\/dev\.yml: provider\.disk_size: expected number, got "big"/],
  ['api_url not a URL', `${VALID}  api_url: not a url\n`, /config\/dev\.yml: provider\.api_url: expected an http\(s\) URL/],
  ['count 0', `${VALID}vms:\n  count: 0\n`, /config\/dev\.yml: vms\.count: expected a whole number from 1 to 100/],
  ['count -1', `${VALID}vms:\n  count: -1\n`, /config\/dev\.yml: vms\.count: expected a whole number from 1 to 100/],
  ['count 1.5', `${VALID}vms:\n  count: 1.5\n`, /config\/dev\.yml: vms\.count: expected a whole number from 1 to 100/],
  ['count "abc"', `${VALID}vms:\n  count: abc\n`, /config\/dev\.yml: vms\.count: expected a whole number from 1 to 100/],
  ['count 101', `${VALID}vms:\n  count: 101\n`, /config\/dev\.yml: vms\.count: expected a whole number from 1 to 100/],
  ['spread "yes please"', `${VALID}vms:\n  spread: yes please\n`, /config\/dev\.yml: vms\.spread: expected boolean/],
  ['cpus negative', `${VALID}defaults:\n  cpus: -2\n`, /config\/dev\.yml: defaults\.cpus: expected a positive number of CPUs/],
  ['memory nonsense', `${VALID}defaults:\n  memory: lots\n`, /config\/dev\.yml: defaults\.memory: expected a docker memory size/],
  ['ssh port 0', `${VALID}ssh:\n  port: 0\n`, /config\/dev\.yml: ssh\.port: /],
  ['ssh port 70000', `${VALID}ssh:\n  port: 70000\n`, /config\/dev\.yml: ssh\.port: /],
  ['ssh user with a space', `${VALID}ssh:\n  user: "ro ot"\n`, /config\/dev\.yml: ssh\.user: expected a user name/],
  ['secrets a string', `${VALID}secrets: GITHUB_TOKEN\n`, /config\/dev\.yml: secrets: expected array/],
  ['secret name with a dash', `${VALID}secrets: [GITHUB-TOKEN]\n`, /config\/dev\.yml: secrets\[0\]: expected an environment variable name/],
  ['naming pattern without index', `${VALID}naming:\n  pattern: "{service}"\n`, /config\/dev\.yml: naming\.pattern: must contain \{index\}/],
  ['naming pattern giving an invalid docker name', `${VALID}naming:\n  pattern: "{service} {index}"\n`, /config\/dev\.yml: naming\.pattern: yields "myapp-dev 1" is not a valid docker name/],
  ['naming pattern starting with a dot', `${VALID}naming:\n  pattern: ".{index}"\n`, /config\/dev\.yml: naming\.pattern: yields "\.1" is not a valid docker name/],
  ['build set', `${VALID}build:\n  context: .\n`, /config\/dev\.yml: build: not supported yet/],
  ['registry without server', `${VALID}registry:\n  username: me\n`, /config\/dev\.yml: registry\.server: is required/],
  ['unknown git key', `${VALID}git:\n  repo: x\n`, /config\/dev\.yml: git\.repo: unknown key \(did you mean git\.ref\?\)/],
  ['git.repository not a URL', `${VALID}git:\n  repository: "just words"\n`, /config\/dev\.yml: git\.repository: expected an https, http, ssh or git URL/],
  ['git.repository with a password', `${VALID}git:\n  repository: https://me:hunter22@github.com/acme/app.git\n`, /config\/dev\.yml: git\.repository: holds a password; name a secret in git\.token instead/],
  ['git.branch with a space', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  branch: "agent {name}"\n`, /config\/dev\.yml: git\.branch: yields "agent myapp-dev-1", which is not a valid branch name: it contains " "/],
  ['git.branch with ..', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  branch: "a..{index}"\n`, /config\/dev\.yml: git\.branch: yields "a\.\.1", which is not a valid branch name: it has two dots in a row/],
  ['git.branch ending in .lock', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  branch: "{name}.lock"\n`, /config\/dev\.yml: git\.branch: yields "myapp-dev-1\.lock", which is not a valid branch name/],
  ['git.branch with an unknown placeholder', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  branch: "agent/{nme}"\n`, /config\/dev\.yml: git\.branch: unknown placeholder \{nme\} \(expected \{name\} or \{index\}\)/],
  ['git.token not listed under secrets', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  token: GH_TOKEN\n`, /config\/dev\.yml: git\.token: GH_TOKEN is not listed under secrets:/],
  ['git.depth 0', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  depth: 0\n`, /config\/dev\.yml: git\.depth: expected a whole number of at least 1/],
  ['git.submodules a string', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  submodules: maybe\n`, /config\/dev\.yml: git\.submodules: expected boolean/],
  ['git.forward_agent with an https repository', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  forward_agent: true\n`, /config\/dev\.yml: git\.forward_agent: https:\/\/github\.com\/acme\/app\.git is not an ssh repository/],
  ['git.forward_agent not a boolean', `${VALID}git:\n  repository: git@github.com:acme/app.git\n  forward_agent: yes please\n`, /config\/dev\.yml: git\.forward_agent: expected boolean/],
  ['git.known_hosts with a bad line', `${VALID}git:\n  repository: git@github.com:acme/app.git\n  known_hosts: "github.com ssh-ed25519 AAAA\\nnot a line"\n`, /config\/dev\.yml: git\.known_hosts: expected known_hosts lines \(host keytype key\)/],
  ['git.ref starting with a dash', `${VALID}secrets: [GITHUB_TOKEN]\ngit:\n  repository: https://github.com/acme/app.git\n  ref: "--upload-pack=x"\n`, /config\/dev\.yml: git\.ref: may not start with -/],
  ['dotfiles without repository', `${VALID}dotfiles:\n  install_command: ./go\n`, /config\/dev\.yml: dotfiles\.repository: is required/],
  ['unknown dotfiles key', `${VALID}dotfiles:\n  repository: https://github.com/me/dots\n  target_pth: x\n`, /config\/dev\.yml: dotfiles\.target_pth: unknown key \(did you mean dotfiles\.target_path\?\)/],
];

describe('invalid config/dev.yml through the real binary', () => {
  it.each(CASES)('%s: exit 2 with one ERROR line naming the key', async (_name, yml, expected) => {
    const { dir, home } = tempProject();
    writeFile(dir, 'config/dev.yml', yml);
    const before = readdirSync(dir).sort();
    const result = await runCli(['config'], { cwd: dir, env: { HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(existsSync(path.join(dir, '.kamal'))).toBe(false);
  });

  it('a missing config file is exit 2 with a hint to run init', async () => {
    const { dir, home } = tempProject();
    const result = await runCli(['config'], { cwd: dir, env: { HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERROR: config/dev.yml: no such file');
    expect(result.stderr).toContain('kamal-dev init');
  });

  it('reports unknown options and commands as usage errors (exit 2)', async () => {
    const { dir, home } = tempProject();
    for (const args of [['config', '--format', 'xml'], ['bogus'], ['config', '--nope']]) {
      const result = await runCli(args, { cwd: dir, env: { HOME: home } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^ERROR: /m);
    }
  });
});
