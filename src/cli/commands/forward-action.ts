import type { Server } from 'node:net';
import { planPorts } from '../../devcontainer/ports.js';
import { connectTo } from '../../deploy/exec.js';
import { CommandExit, UsageError } from '../../lib/errors.js';
import { sleep } from '../../lib/sleep.js';
import { loadAttachPlan } from '../attach-plan.js';
import type { Context } from '../context.js';
import { listenFrom, tunnel } from '../port-forward.js';
import { withSession } from '../session.js';
import { runningTargets } from '../targets.js';
import type { ForwardOptions, PortSpec } from './forward.js';

/** How long a new local connection waits for the SSH connection to come back. */
const RECONNECT_DEADLINE_MS = 60_000;

/**
 * `forward`'s action: one listener per port on 127.0.0.1, each connection tunnelled (ssh2 forwardOut) to the
 * port published on the VM's loopback. Runs until Ctrl-C, then exits 0.
 */
export async function forwardAction(ctx: Context, o: ForwardOptions): Promise<void> {
  const { targets } = await runningTargets(ctx, 'forward', { name: o.name, start: o.start });
  const target = targets[0]!;
  const { service, allSecrets } = await loadAttachPlan(ctx);
  const { config } = service;
  const defaults: PortSpec[] = planPorts(service.devcontainer.json, config.config.vms.spread, config.config.ports.public).ports.map((p) => ({ remote: p.containerPort, local: p.containerPort }));
  const specs = o.ports.length > 0 ? o.ports : defaults;
  if (specs.length === 0) throw new UsageError(`forward: ${o.name} has no forwardPorts or appPort; give the ports to forward`, { hint: `kamal-dev forward ${o.name} 3000` });
  await withSession(
    ctx,
    async ({ deps }) => {
      await connectTo(target, deps);
      const open = async (vmPort: number) => {
        const deadline = Date.now() + RECONNECT_DEADLINE_MS;
        for (;;) {
          try {
            const executor = await connectTo(target, deps);
            if (!executor.forward) throw new Error('this connection cannot forward ports');
            return await executor.forward('127.0.0.1', vmPort);
          } catch (error) {
            if (ctx.signal.aborted || Date.now() > deadline) throw error;
            ctx.log.verbose(`forward: ${(error as Error).message}; trying again`);
            await sleep(1000, ctx.signal);
          }
        }
      };
      const servers: Server[] = [];
      for (const spec of specs) {
        const vmPort = target.entry.ports?.[String(spec.remote)] ?? spec.remote;
        const { server, port } = await listenFrom(spec.local, tunnel(() => open(vmPort), (error) => ctx.log.error(`${o.name}:${spec.remote}: ${error.message}`)));
        servers.push(server);
        if (port !== spec.local) ctx.log.warn(`local port ${spec.local} is in use; using ${port}`);
        ctx.out(`http://127.0.0.1:${port} -> ${o.name}:${spec.remote}`);
      }
      ctx.log.info('Forwarding until Ctrl-C');
      await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })));
      for (const server of servers) server.close();
    },
    { secrets: allSecrets },
  );
  throw new CommandExit(0);
}
