import { Command, Option } from 'commander';
import { UsageError } from '../../lib/errors.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

export interface DeployOptions {
  count: number | undefined;
  from: string | undefined;
  yes: boolean;
  skipCostCheck: boolean;
  dryRun: boolean;
  format: 'text' | 'json';
  /** Fetch and fast-forward the workspaces' clones, then run updateContentCommand. */
  updateContent: boolean;
  /** Upload the local working tree into every workspace folder. */
  sync: boolean;
  /** A dotfiles repository instead of dotfiles.repository of dev.yml. */
  dotfiles: string | undefined;
}

export type DeployRun = (ctx: Context, options: DeployOptions) => Promise<void>;

const deployRun: DeployRun = async (ctx, options) => (await import('./deploy-action.js')).deployAction(ctx, options);

/** `--count`: a whole number from 1 to 100 (anything else is a usage error, exit 2). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100) {
    throw new UsageError(`--count: expected a whole number from 1 to 100, got "${value}"`);
  }
  return Number(value);
}

/** `kamal-dev deploy`: converge the service to --count workspaces; `--dry-run` prints the plan only. */
export function makeDeployCommand(ctx: Context, run: DeployRun = deployRun): Command {
  return new Command('deploy')
    .description('create or update workspaces until the service has --count of them, one per VM (cost shown and confirmed first)')
    .addOption(new Option('--count <n>', 'number of workspaces the service must have (1-100; default vms.count)').argParser(parseCount))
    .option('--from <path>', 'devcontainer.json to use instead of the image: of dev.yml')
    .option('--dry-run', 'validate everything and print the plan; create, connect and write nothing')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-y, --yes', 'do not ask before creating VMs that cost money')
    .option('--skip-cost-check', 'do not fetch prices before creating VMs')
    .option('--update-content', 'fetch and fast-forward the workspaces\' clones of git.ref (not those with local changes), then run updateContentCommand')
    .option('--sync', 'upload the local working tree into each workspace folder (as `kamal-dev sync`)')
    .option('--dotfiles <url>', 'dotfiles repository to install in new containers (instead of dotfiles.repository)')
    .addHelpText('after', examples(['kamal-dev deploy --count 3', 'kamal-dev deploy --count 3 --yes --format json    # CI: no prompt', 'kamal-dev deploy --dry-run --format json', 'kamal-dev deploy --from .devcontainer/gpu/devcontainer.json']))
    .action((o: { count?: number; from?: string; yes?: boolean; skipCostCheck?: boolean; dryRun?: boolean; format: 'text' | 'json'; updateContent?: boolean; sync?: boolean; dotfiles?: string }) =>
      run(ctx, {
        count: o.count,
        from: o.from,
        yes: Boolean(o.yes),
        skipCostCheck: Boolean(o.skipCostCheck),
        dryRun: Boolean(o.dryRun),
        format: o.format,
        updateContent: Boolean(o.updateContent),
        sync: Boolean(o.sync),
        dotfiles: o.dotfiles,
      }),
    );
}
