import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { expandHome } from '../../config/home.js';
import { UsageError } from '../../lib/errors.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';
import { devYmlTemplate, SECRETS_TEMPLATE } from './init-template.js';

/** A docker-valid service name from the project folder's name. */
function serviceName(root: string): string {
  const base = path.basename(root).toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return `${base || 'app'}-dev`;
}

/** The key config/dev.yml gets: the one loadConfig would pick by default (OpenSSH's order), else ed25519's. */
async function defaultKeyPath(home: string | undefined): Promise<string> {
  // loaded here, not at the top: every command's module is loaded at start-up, and `list` must stay light
  const { DEFAULT_KEY_PATHS, findDefaultKey } = await import('../../config/load.js');
  return (home ? findDefaultKey(home) : undefined) ?? DEFAULT_KEY_PATHS[0];
}

export type InitRun = (ctx: Context, options: { force: boolean }) => Promise<void>;

/** Writes config/dev.yml (refusing to overwrite without --force) and, when absent, .kamal/secrets with mode 0600. */
export const initRun: InitRun = async (ctx, options) => {
  const configPath = path.resolve(ctx.cwd, ctx.globals.config);
  if (existsSync(configPath) && !options.force) {
    throw new UsageError(`${ctx.globals.config} already exists`, { hint: 'Pass --force to overwrite it.' });
  }
  const keyPath = await defaultKeyPath(ctx.env.HOME);
  mkdirSync(path.dirname(configPath), { recursive: true });
  writeFileSync(configPath, devYmlTemplate(serviceName(ctx.cwd), keyPath));
  ctx.log.success(`Wrote ${ctx.globals.config}`);

  const secretsPath = path.join(ctx.cwd, '.kamal', 'secrets');
  if (!existsSync(secretsPath)) {
    mkdirSync(path.dirname(secretsPath), { recursive: true });
    writeFileSync(secretsPath, SECRETS_TEMPLATE, { mode: 0o600 });
    ctx.log.success('Wrote .kamal/secrets (mode 0600)');
  }
  const gitignore = path.join(ctx.cwd, '.gitignore');
  const ignored = existsSync(gitignore) && /^\/?\.kamal\/(secrets\*?|\*)?$/m.test(readFileSync(gitignore, 'utf8'));
  if (!ignored) ctx.log.info('Hint: add .kamal/secrets* and .kamal/dev_state* to .gitignore');
  if (!existsSync(path.resolve(ctx.cwd, expandHome(keyPath, ctx.env.HOME)))) {
    ctx.log.warn(`${keyPath} does not exist yet: create a key (ssh-keygen -t ed25519) or edit ssh.key_path`);
  }
};

/** `kamal-dev init`: a commented config/dev.yml and a .kamal/secrets template. */
export function makeInitCommand(ctx: Context, run: InitRun = initRun): Command {
  return new Command('init')
    .description('write a commented config/dev.yml and a .kamal/secrets template')
    .option('--force', 'overwrite an existing config/dev.yml')
    .addHelpText('after', examples(['kamal-dev init', 'kamal-dev init --force']))
    .action((options: { force?: boolean }) => run(ctx, { force: Boolean(options.force) }));
}
