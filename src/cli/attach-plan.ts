import type { LoadedSecrets } from '../config/secrets.js';
import { buildServicePlan, type ServicePlan } from '../deploy/workspace.js';
import { Secret } from '../lib/secret.js';
import { loadPlanInputs } from '../project/inputs.js';
import type { Context } from './context.js';

/** Shorter values (`vim`, `1`) are too common to hide wherever they appear. */
const HIDDEN_FROM_LENGTH = 6;

/**
 * The service's plan for getting into its workspaces (exec, ssh, ssh-config, forward). remoteEnv values can
 * be tokens (`${localEnv:GITHUB_TOKEN}`): from here on they are redacted in everything kamal-dev writes.
 */
export async function loadAttachPlan(ctx: Context): Promise<{ service: ServicePlan; allSecrets: LoadedSecrets }> {
  const config = await ctx.loadConfig();
  const inputs = await loadPlanInputs({ config, env: ctx.env, cwd: ctx.cwd, signal: ctx.signal });
  const values = Object.values(inputs.devcontainer.json.remoteEnv ?? {}).filter((v): v is string => typeof v === 'string' && v.length >= HIDDEN_FROM_LENGTH);
  ctx.addSecrets(values.map((v) => new Secret(v)));
  return { service: buildServicePlan({ config, devcontainer: inputs.devcontainer, secrets: inputs.secrets }), allSecrets: inputs.allSecrets };
}
