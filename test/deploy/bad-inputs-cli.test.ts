import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { seedProject, type Project } from './project.js';

const DC = '.devcontainer/devcontainer.json';
const SECRETS = '.kamal/secrets';
const GOOD_SECRETS = 'GITHUB_TOKEN=ghp_supersecretvalue\nDATABASE_URL=postgres://u:pw-secret@db/x\n';

interface BadInput {
  what: string;
  file: typeof DC | typeof SECRETS;
  content: string | Buffer;
  /** The whole ERROR line, after `ERROR: `. */
  message: string | RegExp;
}

const dc = (what: string, content: string | Buffer, message: string | RegExp): BadInput => ({ what, file: DC, content, message });
const sec = (what: string, content: string | Buffer, message: string | RegExp): BadInput => ({ what, file: SECRETS, content, message });

const CASES: BadInput[] = [
  dc('truncated JSON', '{\n  "image": "ruby:3.2",\n  "forwardPorts": [3000', `${DC}:3:24: JSON syntax error: closing bracket expected`),
  dc('truncated object', '{\n  "image": "ruby:3.2"\n', `${DC}:3:1: JSON syntax error: closing brace expected`),
  dc('unterminated block comment', '{ "image": "ruby:3.2" /* note\n}', `${DC}:1:23: JSON syntax error: unterminated /* comment`),
  dc('# comment', '{\n  # not JSONC\n  "image": "ruby:3.2"\n}', /^\.devcontainer\/devcontainer\.json:2:3: JSON syntax error: /),
  dc('comment between key and colon then missing value', '{ "image" /* c */ : // x\n }', `${DC}:2:2: JSON syntax error: value expected`),
  dc('single-quoted keys', "{ 'image': 'ruby:3.2' }", /^\.devcontainer\/devcontainer\.json:1:3: JSON syntax error: /),
  dc('missing comma', '{ "image": "ruby:3.2"\n  "init": true }', `${DC}:2:3: JSON syntax error: comma expected`),
  dc('text after the object', '{ "image": "ruby:3.2" }\nextra', `${DC}:2:1: JSON syntax error: unexpected character`),
  dc('unterminated string', '{ "image": "ruby:3.2 }', `${DC}:1:12: JSON syntax error: unterminated string`),
  dc('empty file', '  \n', `${DC}:1:1: the file is empty; expected a JSON object with at least "image"`),
  dc('top-level array', '[{"image":"ruby:3.2"}]', `${DC}:1:1: expected a JSON object at the top level, got an array`),
  dc('binary garbage', Buffer.from([0x7b, 0x0a, 0x00, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47]), `${DC}:2:1: not a UTF-8 text file (binary data)`),
  dc('unknown property', '{ "image": "ruby:3.2", "forwardPort": [3000] }', `${DC}:1:1: forwardPort: unknown key (did you mean forwardPorts?)`),
  dc('image of the wrong type', '{ "image": 3.2 }', `${DC}:1:12: image: expected an image reference string, got 3.2`),
  dc('no image', '{ "name": "x" }', `${DC}:1:1: image: is required, or build.dockerfile, or dockerComposeFile`),
  dc('forwardPorts not a list', '{ "image": "a:1", "forwardPorts": "3000" }', `${DC}:1:35: forwardPorts: expected a list of ports, got "3000"`),
  dc('port out of range', '{ "image": "a:1",\n  "forwardPorts": [3000, 70000] }', `${DC}:2:26: forwardPorts[1]: expected a port number 0-65535 or "service:port", got 70000`),
  dc('forwardPorts with an IP', '{ "image": "a:1", "forwardPorts": ["127.0.0.1:8080"] }', `${DC}:1:36: forwardPorts[0]: expected a port number 0-65535 or "service:port", got "127.0.0.1:8080"`),
  dc('appPort boolean', '{ "image": "a:1", "appPort": true }', `${DC}:1:30: appPort: expected a port number, a "host:container" string, or a list of them, got true`),
  dc('object mount without target', '{ "image": "a:1", "mounts": [ { "type": "bind", "source": "/x" } ] }', /^\.devcontainer\/devcontainer\.json:1:\d+: mounts\[0\]/),
  dc('string mount without target', '{ "image": "a:1",\n  "mounts": [\n    "source=/x,type=bind"\n  ] }', `${DC}:3:5: mounts[0]: mount "source=/x,type=bind" has no target= (the path inside the container)`),
  dc('mount of an unknown type', '{ "image": "a:1", "mounts": [ { "type": "tmpfs", "target": "/t" } ] }', /^\.devcontainer\/devcontainer\.json:1:\d+: mounts\[0\]/),
  dc('containerEnv value a number', '{ "image": "a:1", "containerEnv": { "A": 1 } }', `${DC}:1:42: containerEnv.A: expected a string, got 1`),
  dc('runArgs a string', '{ "image": "a:1", "runArgs": "--privileged" }', `${DC}:1:30: runArgs: expected a list of strings, got "--privileged"`),
  dc('init a string', '{ "image": "a:1", "init": "yes" }', `${DC}:1:27: init: expected true or false, got "yes"`),
  dc('privileged a number', '{ "image": "a:1", "privileged": 1 }', `${DC}:1:33: privileged: expected true or false, got 1`),
  dc('capAdd a string', '{ "image": "a:1", "capAdd": "SYS_PTRACE" }', `${DC}:1:29: capAdd: expected a list of strings, got "SYS_PTRACE"`),
  dc('overrideCommand a string', '{ "image": "a:1", "overrideCommand": "false" }', `${DC}:1:38: overrideCommand: expected true or false, got "false"`),
  dc('postCreateCommand a number', '{ "image": "a:1", "postCreateCommand": 42 }', `${DC}:1:40: postCreateCommand: expected a command: a string, a list of strings, or an object of them, got 42`),
  dc('remoteUser a number', '{ "image": "a:1", "remoteUser": 7 }', `${DC}:1:33: remoteUser: expected a user name, got 7`),
  dc('relative workspaceFolder', '{ "image": "a:1", "workspaceFolder": "src" }', `${DC}:1:38: workspaceFolder: expected an absolute path inside the container, got "src"`),
  dc('hostRequirements memory in uppercase', '{ "image": "a:1", "hostRequirements": { "memory": "4GB" } }', `${DC}:1:51: hostRequirements.memory: expected a size such as "8gb" (lowercase unit), got "4GB"`),
  dc('a legacy bare feature name', '{ "image": "a:1", "features": { "node": {} } }', `${DC}:1:41: features.node: a bare name is a legacy feature kamal-dev does not support; write ./node for a local feature or a registry reference`),
  dc('a local feature that does not exist', '{ "image": "a:1", "features": { "./nope": {} } }', /^\.devcontainer\/devcontainer\.json: features: "\.\/nope": no devcontainer-feature\.json in \/.*\/\.devcontainer\/nope$/),
  dc('a Dockerfile that does not exist', '{ "build": { "dockerfile": "Dockerfile" } }', /^\.devcontainer\/devcontainer\.json: build\.dockerfile: \/.*\/\.devcontainer\/Dockerfile: no such file$/),
  dc('a build context that does not exist', '{ "build": { "dockerfile": "Dockerfile", "context": "missing" } }', /^\.devcontainer\/devcontainer\.json: build\.context: \/.*\/\.devcontainer\/missing is not a folder$/),
  dc('Docker Compose without workspaceFolder', '{ "dockerComposeFile": "compose.yml", "service": "app" }', `${DC}:1:24: dockerComposeFile: workspaceFolder: is required with dockerComposeFile (where the workspace is mounted in the service's container)`),
  dc('${localEnv} without a name', '{ "image": "a:1", "containerEnv": { "X": "${localEnv}" } }', `${DC}:1:42: containerEnv.X: \${localEnv} needs a variable name, as in \${localEnv:HOME}`),
  dc('image empty once substituted', '{ "image": "${localEnv:NO_SUCH_VARIABLE}" }', `${DC}:1:12: image: is empty once its variables are substituted ("\${localEnv:NO_SUCH_VARIABLE}")`),
  dc('workspaceMount without target', '{ "image": "a:1", "workspaceMount": "source=/x,type=bind" }', `${DC}:1:37: workspaceMount: has no target= (the path inside the container)`),

  sec('unterminated double quote', 'GITHUB_TOKEN=ghp_x\nDATABASE_URL="postgres://x\n', `${SECRETS}:2: DATABASE_URL: unterminated double quote`),
  sec('unterminated single quote', "GITHUB_TOKEN='ghp_x\nDATABASE_URL=y\n", `${SECRETS}:1: GITHUB_TOKEN: unterminated single quote`),
  sec('$(false)', 'GITHUB_TOKEN=ghp_supersecretvalue\n# the database\nDATABASE_URL=$(false)\n', `${SECRETS}:3: DATABASE_URL: $(…) command exited with 1`),
  sec('a failing command with stderr', 'GITHUB_TOKEN=$(cat config/missing.key)\nDATABASE_URL=x\n', `${SECRETS}:1: GITHUB_TOKEN: $(…) command exited with 1`),
  sec('a failing command that prints a secret', 'GITHUB_TOKEN=$(echo ghp_supersecretvalue; echo ghp_supersecretvalue >&2; exit 3)\nDATABASE_URL=x\n', `${SECRETS}:1: GITHUB_TOKEN: $(…) command exited with 3`),
  sec('a value pasted on its own line', 'GITHUB_TOKEN=\nghp_supersecretvalue\nDATABASE_URL=y\n', `${SECRETS}:2: expected KEY=value (a key of letters, digits, _, . and -)`),
  sec('backquotes', 'GITHUB_TOKEN=`ghp_supersecretvalue`\nDATABASE_URL=y\n', `${SECRETS}:1: GITHUB_TOKEN: backquotes are not part of Kamal's secrets format; use single or double quotes`),
  sec('unterminated $(', 'GITHUB_TOKEN=$(echo x\nDATABASE_URL=x\n', `${SECRETS}:1: GITHUB_TOKEN: unterminated $( command substitution`),
  sec('a listed secret missing', 'GITHUB_TOKEN=ghp_supersecretvalue\n', 'config/dev.yml: secrets[1]: DATABASE_URL is not defined in .kamal/secrets'),
  sec('a line that is not an assignment', 'GITHUB_TOKEN=ghp_x\n!!! not an assignment\nDATABASE_URL=y\n', `${SECRETS}:2: expected KEY=value (a key of letters, digits, _, . and -)`),
  sec('key without =', 'GITHUB_TOKEN ghp_x\nDATABASE_URL=y\n', `${SECRETS}:1: expected KEY=value (a key of letters, digits, _, . and -)`),
  sec('export of an unset key', 'export GITHUB_TOKEN\nDATABASE_URL=y\n', `${SECRETS}:1: export GITHUB_TOKEN: has no value and is not set earlier in the file`),
  sec('text after a closing quote', 'GITHUB_TOKEN="ghp_x" extra\nDATABASE_URL=y\n', `${SECRETS}:1: GITHUB_TOKEN: unexpected text after the closing quote`),
  sec('binary garbage', Buffer.concat([Buffer.from('GITHUB_TOKEN=x\n'), Buffer.from([0x00, 0xff, 0x13, 0x37])]), `${SECRETS}:2: not a text file (binary data)`),
];

const SEED_DC = readFileSync(new URL('../../fixtures/seed-example/.devcontainer/devcontainer.json', import.meta.url));
const names = (snapshot: string[]) => snapshot.map((line) => line.split(' ')[0]);

describe('deploy --dry-run: bad inputs are one-line errors naming the file and location, exit 2, nothing written', () => {
  let project: Project;
  let before: string[];
  beforeAll(() => {
    project = seedProject();
    project.write(SECRETS, GOOD_SECRETS);
    before = project.snapshot();
  });
  afterAll(() => project.cleanup());

  it(`has at least 30 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  for (const c of CASES) {
    it(`${c.file}: ${c.what}`, async () => {
      project.write(c.file, c.content);
      try {
        const result = await runCli(['deploy', '--dry-run'], { cwd: project.dir, env: project.env });
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        const errors = result.stderr.split('\n').filter((line) => line.startsWith('ERROR: '));
        expect(errors).toHaveLength(1);
        const message = errors[0]!.slice('ERROR: '.length);
        if (typeof c.message === 'string') expect(message).toBe(c.message);
        else expect(message).toMatch(c.message);
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(result.stderr).not.toContain('supersecretvalue');
      } finally {
        project.write(DC, SEED_DC);
        project.write(SECRETS, GOOD_SECRETS);
      }
    });
  }

  it('created no file: no state file, no env file, nothing else', () => {
    expect(names(project.snapshot())).toEqual(names(before));
  });
});
