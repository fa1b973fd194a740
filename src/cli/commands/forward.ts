import { Command } from 'commander';
import { UsageError } from '../../lib/errors.js';
import type { Context } from '../context.js';
import { examples } from '../examples.js';

/** A port to forward: the container's port and the local one wanted (the same unless REMOTE:LOCAL). */
export interface PortSpec {
  remote: number;
  local: number;
}

export interface ForwardOptions {
  name: string;
  /** Empty: the workspace's forwardPorts and appPort. */
  ports: PortSpec[];
  /** Start a stopped workspace first (its VM powered on where stopped). */
  start: boolean;
}

export type ForwardRun = (ctx: Context, options: ForwardOptions) => Promise<void>;

const forwardRun: ForwardRun = async (ctx, options) => (await import('./forward-action.js')).forwardAction(ctx, options);

function port(text: string, whole: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new UsageError(`forward: ${JSON.stringify(whole)} is not a port: expected PORT or REMOTE:LOCAL, numbers from 1 to 65535`);
  return n;
}

export function parsePortSpec(text: string): PortSpec {
  const parts = text.split(':');
  if (parts.length > 2) return { remote: port('', text), local: 0 };
  const remote = port(parts[0]!, text);
  return { remote, local: parts.length === 2 ? port(parts[1]!, text) : remote };
}

/** `kamal-dev forward NAME [PORT | REMOTE:LOCAL ...]`: local ports on 127.0.0.1 tunnelled to the workspace's ports. */
export function makeForwardCommand(ctx: Context, run: ForwardRun = forwardRun): Command {
  return new Command('forward')
    .description("forward local ports (127.0.0.1) to a workspace's ports over SSH, until Ctrl-C")
    .argument('<name>', 'the workspace')
    .argument('[ports...]', "PORT or REMOTE:LOCAL (default: the workspace's forwardPorts and appPort)")
    .option('--start', 'start the workspace first when it is stopped (its VM powered on where stopped)')
    .addHelpText('after', examples(['kamal-dev forward myapp-dev-1', 'kamal-dev forward myapp-dev-1 3000 5432:15432']))
    .action((name: string, ports: string[], options: { start?: boolean }) => run(ctx, { name, ports: ports.map(parsePortSpec), start: Boolean(options.start) }));
}
