import { describe, expect, it } from 'vitest';
import { composeServiceDefinition, interpolated } from '../../src/devcontainer/compose-service.js';

const BASE = '.devcontainer/docker-compose.yml';
const EXTRA = '.devcontainer/extra.yml';

describe("the workspace service's image, build and start command, from the compose files", () => {
  it('an image: service; the last file that sets image wins; the other services that build are listed', () => {
    const texts = [
      'services:\n  app:\n    image: ruby:3.2\n    command: sleep infinity\n  web:\n    build: ./web\n  db:\n    image: postgres:16\n',
      'services:\n  app:\n    image: ruby:3.3\n  worker:\n    build:\n      context: ./worker\n',
    ];
    expect(composeServiceDefinition([BASE, EXTRA], texts, 'app')).toEqual({
      image: 'ruby:3.3',
      imageAt: `${EXTRA}: services.app.image`,
      build: undefined,
      entrypoint: undefined,
      command: ['sleep', 'infinity'],
      otherBuilds: ['web', 'worker'],
    });
  });

  it('a build: service: the context resolved from the first file\'s folder, the mapping merged key by key across files', () => {
    const texts = [
      'services:\n  app:\n    build:\n      context: ./app\n      args:\n        A: "1"\n    entrypoint: ["/init"]\n',
      'services:\n  app:\n    build:\n      dockerfile: Dockerfile.dev\n      target: dev\n',
    ];
    expect(composeServiceDefinition([BASE, EXTRA], texts, 'app')).toEqual({
      image: undefined,
      imageAt: undefined,
      build: {
        context: '.devcontainer/app',
        dockerfile: 'Dockerfile.dev',
        written: { context: './app', args: { A: '1' }, dockerfile: 'Dockerfile.dev', target: 'dev' },
        at: `${EXTRA}: services.app.build`,
      },
      entrypoint: ['/init'],
      command: undefined,
      otherBuilds: [],
    });
  });

  it('a build given as a string is its context; a remote context stays as written; the default Dockerfile', () => {
    expect(composeServiceDefinition([BASE], ['services:\n  app:\n    build: .\n'], 'app').build).toEqual({
      context: '.devcontainer', dockerfile: 'Dockerfile', written: { context: '.' }, at: `${BASE}: services.app.build`,
    });
    expect(composeServiceDefinition([BASE], ['services:\n  app:\n    build: https://example.com/app.git\n'], 'app').build?.context).toBe('https://example.com/app.git');
  });

  it('what Compose interpolates: $VAR and ${VAR}, not $$', () => {
    expect([interpolated('ruby:${TAG}'), interpolated('$IMAGE'), interpolated('a$$b'), interpolated('ruby:3.2')]).toEqual([true, true, false, false]);
  });
});
