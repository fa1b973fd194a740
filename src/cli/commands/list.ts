import { Command, Option } from 'commander';
import { assertNever } from '../../lib/assert-never.js';
import type { Entry } from '../../state/schema.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

const FORMATS = ['table', 'json', 'yaml'] as const;
export type ListFormat = (typeof FORMATS)[number];

/** The deployments as `list` prints them: empty string for an empty table. */
export async function renderDeployments(deployments: Record<string, Entry>, format: ListFormat): Promise<string> {
  switch (format) {
    case 'table': {
      // The VM as last recorded (docs/commands.md#list): list makes no network calls.
      const vm = (entry: Entry) => (entry.vm_stopped_at ? 'stopped' : entry.vm_id ? 'started' : '-');
      const rows = Object.entries(deployments).map(([name, entry]) => [name, entry.vm_ip ?? '-', vm(entry), entry.status, entry.deployed_at ?? '-']);
      // cli-table3 only for a table, yaml's writer only for yaml: scripts asking for JSON should not pay for them.
      const { renderTable } = await import('../../ui/table.js');
      return rows.length === 0 ? '' : renderTable(['NAME', 'IP', 'VM', 'STATUS', 'DEPLOYED AT'], rows);
    }
    case 'json':
      return JSON.stringify(deployments, null, 2);
    case 'yaml': {
      const { stringifyYaml } = await import('../../state/serialize.js');
      return stringifyYaml(deployments);
    }
    default:
      return assertNever(format, 'list format');
  }
}

export interface ListOptions {
  format: ListFormat;
  rebuild: boolean;
}

export type ListRun = (ctx: Context, options: ListOptions) => Promise<void>;

/** `list --rebuild`: the only part of list that needs the config, credentials and the network (loaded lazily). */
async function rebuild(ctx: Context): Promise<void> {
  const [{ withSession }, { rebuildState }] = await Promise.all([import('../session.js'), import('../../deploy/rebuild.js')]);
  await withSession(ctx, async ({ scope, deps }) => {
    const { added, missing } = await rebuildState(scope, deps);
    ctx.endProgress();
    ctx.log.info(`Rebuilt from the provider: ${added.length} added${added.length ? ` (${added.join(', ')})` : ''}, ${missing.length} missing${missing.length ? ` (${missing.join(', ')})` : ''}`);
  });
}

/** Reads the state only (no config, no network, no lock), so it works in any project folder and stays fast. */
export const listRun: ListRun = async (ctx, options) => {
  if (options.rebuild) await rebuild(ctx);
  const { deployments } = await ctx.readState(ctx.stateFile());
  if (Object.keys(deployments).length === 0) ctx.io.stderr.write('No deployments found\n');
  const text = await renderDeployments(deployments, options.format);
  if (text) ctx.out(text);
};

/** `kamal-dev list`: the workspaces of the state file. */
export function makeListCommand(ctx: Context, run: ListRun = listRun): Command {
  return new Command('list')
    .description('list the workspaces recorded in .kamal/dev_state.yml (reads the state only, no network)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option('--rebuild', "reconcile the state with the service's VMs at the provider (adds lost ones, marks vanished ones missing)")
    .addHelpText('after', examples(['kamal-dev list', 'kamal-dev list --format json', 'kamal-dev list --rebuild    # after the state file was lost']))
    .action((options: { format: ListFormat; rebuild?: boolean }) => run(ctx, { format: options.format, rebuild: Boolean(options.rebuild) }));
}
