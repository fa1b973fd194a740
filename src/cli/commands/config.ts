import { Command, Option } from 'commander';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

export type ConfigRun = (ctx: Context, options: { format: 'yaml' | 'json' }) => Promise<void>;

export const configRun: ConfigRun = async (ctx, options) => {
  const loaded = await ctx.loadConfig();
  // Shown, not refused: only the commands that connect need the key pair.
  const { sshKeyProblem } = await import('../../config/load.js');
  const keyProblem = sshKeyProblem(loaded, ctx.env.SSH_AUTH_SOCK);
  if (keyProblem !== undefined) ctx.log.warn(keyProblem);
  const resolved = {
    ...loaded.config,
    ssh: { ...loaded.config.ssh, key_path: loaded.publicKeyPath, private_key_path: loaded.privateKeyPath },
    secrets_file: loaded.secretsFile,
  };
  if (options.format === 'json') return ctx.out(JSON.stringify(resolved, null, 2));
  const { stringify } = await import('../../lib/yaml.js');
  ctx.out(stringify(resolved));
};

/** `kamal-dev config`: the resolved configuration with defaults filled in, like `kamal config`. */
export function makeConfigCommand(ctx: Context, run: ConfigRun = configRun): Command {
  return new Command('config')
    .description('print the resolved configuration (defaults filled in, paths expanded)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .addHelpText('after', examples(['kamal-dev config', 'kamal-dev config --format json -c config/dev.yml']))
    .action((options: { format: 'yaml' | 'json' }) => run(ctx, { format: options.format }));
}
