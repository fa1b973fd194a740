import { describe, expect, it } from 'vitest';
import { composeProject, composeSettings, parseComposeFile } from '../../src/devcontainer/compose-config.js';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';

const DC = '.devcontainer/devcontainer.json';
const ctx = { env: {}, projectFolder: '/home/dev/myapp' };
const at = (key: string) => `${DC}:1:1: ${key}`;

describe('compose settings from devcontainer.json', () => {
  it('a string or a list, relative to devcontainer.json, in order; runServices gets the service', () => {
    expect(composeSettings({ dockerComposeFile: 'docker-compose.yml', service: 'app', workspaceFolder: '/w' }, DC, at)).toEqual({
      files: ['.devcontainer/docker-compose.yml'],
      service: 'app',
      runServices: undefined,
      serviceAt: `${DC}:1:1: service`,
      runServicesAt: `${DC}:1:1: runServices`,
    });
    const s = composeSettings({ dockerComposeFile: ['../docker-compose.yml', 'docker-compose.extend.yml'], service: 'app', runServices: ['db'], workspaceFolder: '/w' }, DC, at);
    expect([s.files, s.runServices]).toEqual([['docker-compose.yml', '.devcontainer/docker-compose.extend.yml'], ['db', 'app']]);
  });
  it('workspaceFolder and service are required; a file outside the project is refused', () => {
    expect(() => composeSettings({ dockerComposeFile: 'c.yml', service: 'app' }, DC, at)).toThrow(`${DC}:1:1: dockerComposeFile: workspaceFolder: is required with dockerComposeFile`);
    expect(() => composeSettings({ dockerComposeFile: 'c.yml', workspaceFolder: '/w' }, DC, at)).toThrow(`${DC}:1:1: dockerComposeFile: service: is required with dockerComposeFile`);
    expect(() => composeSettings({ dockerComposeFile: '../../c.yml', service: 'a', workspaceFolder: '/w' }, DC, at)).toThrow(`${DC}:1:1: dockerComposeFile: "../../c.yml" is outside the project folder`);
    expect(() => composeSettings({ dockerComposeFile: '/etc/c.yml', service: 'a', workspaceFolder: '/w' }, DC, at)).toThrow('"/etc/c.yml" is outside the project folder');
  });
  it('parseDevcontainer: a Compose configuration needs no image, and names the key where it is', () => {
    const d = parseDevcontainer('{\n  "dockerComposeFile": ["a.yml"],\n  "service": "app",\n  "workspaceFolder": "/workspace"\n}', DC, ctx);
    expect(d.composeSettings).toEqual({ files: ['.devcontainer/a.yml'], service: 'app', runServices: undefined, serviceAt: `${DC}:3:14: service`, runServicesAt: `${DC}:1:1: runServices` });
    expect(d.workspaceFolder).toBe('/workspace');
    expect(() => parseDevcontainer('{ "dockerComposeFile": [], "service": "a", "workspaceFolder": "/w" }', DC, ctx)).toThrow(`${DC}:1:24: dockerComposeFile: expected at least one compose file`);
    expect(() => parseDevcontainer('{ "dockerComposeFile": "a.yml", "service": "a", "workspaceFolder": "/w", "shutdownAction": "stop" }', DC, ctx)).toThrow('shutdownAction: expected "none", "stopContainer" or "stopCompose"');
  });
});

describe('compose files: services, build contexts and the files they read', () => {
  it('services, contexts (string or object, default "."), env_file in all its forms', () => {
    const text = [
      'services:',
      '  app:',
      '    build: {context: .., dockerfile: .devcontainer/Dockerfile}',
      '    env_file: [a.env, {path: b.env}]',
      '  db:',
      '    build: ./db',
      '    env_file: c.env',
      '  cache:',
      '    image: redis',
      '  web:',
      '    build: {dockerfile: Web.Dockerfile}',
      '',
    ].join('\n');
    expect(parseComposeFile(text, 'c.yml')).toEqual({ services: ['app', 'db', 'cache', 'web'], contexts: ['..', './db', '.'], envFiles: ['a.env', 'b.env', 'c.env'] });
    expect(parseComposeFile('# nothing yet\n', 'c.yml')).toEqual({ services: [], contexts: [], envFiles: [] });
  });
  it('a file that does not parse names the file, line and column', () => {
    expect(() => parseComposeFile('services:\n  app:\n    image: [a\n', '.devcontainer/c.yml')).toThrow(
      '.devcontainer/c.yml:4:1: not a YAML file Compose can read (Flow sequence in block collection must be sufficiently indented and end with a ])',
    );
    expect(() => parseComposeFile('services:\n  app: {image: a}\n  app: {image: b}\n', 'c.yml')).toThrow('c.yml:3:3: not a YAML file Compose can read (Map keys must be unique)');
    expect(() => parseComposeFile('- a\n- b\n', 'c.yml')).toThrow('c.yml:1:1: expected a mapping at the top level of a compose file');
    expect(() => parseComposeFile('services:\n  - app\n', 'c.yml')).toThrow('c.yml:2:3: services: expected a mapping of service names');
  });
  const settings = composeSettings({ dockerComposeFile: ['docker-compose.yml', 'more.yml'], service: 'app', runServices: ['db'], workspaceFolder: '/w' }, DC, at);
  it('merged services; uploads are the contexts and the .env and env_files that exist, relative to the first file', () => {
    const first = 'services:\n  app:\n    build: ..\n    env_file: app.env\n';
    const second = 'services:\n  db:\n    image: postgres\n    env_file: missing.env\n';
    const existing = new Set(['.devcontainer/.env', '.devcontainer/app.env']);
    expect(composeProject(settings, [first, second], (f) => existing.has(f))).toMatchObject({
      services: ['app', 'db'],
      uploads: ['.', '.devcontainer/.env', '.devcontainer/app.env'],
    });
  });
  it('service or runServices not in the files: exit-2 errors naming the services there; a context outside the project is refused', () => {
    const one = 'services:\n  web:\n    image: a\n  db:\n    image: b\n';
    expect(() => composeProject(settings, [one, ''], () => false)).toThrow(`${DC}:1:1: service: "app" is not a service of .devcontainer/docker-compose.yml, .devcontainer/more.yml; services there: db, web`);
    const noDb = 'services:\n  app:\n    image: a\n';
    expect(() => composeProject(settings, [noDb, ''], () => false)).toThrow(`${DC}:1:1: runServices: "db" is not a service of .devcontainer/docker-compose.yml, .devcontainer/more.yml; services there: app`);
    const far = 'services:\n  app:\n    build: ../..\n  db: {image: b}\n';
    expect(() => composeProject(settings, [far, ''], () => false)).toThrow('.devcontainer/docker-compose.yml: build context "../.." is outside the project folder');
    const git = 'services:\n  app:\n    build: https://github.com/x/y.git#main\n  db: {image: b}\n';
    expect(composeProject(settings, [git, ''], () => false).uploads).toEqual([]);
  });
});
