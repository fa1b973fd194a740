import path from 'node:path';
import type { ComposeBundle } from '../devcontainer/compose-config.js';
import { composeDown, composeProjectName, composeStart, composeStop, composeSweep, composeUp, COMPOSE_PLUGIN, type ComposeInvocation } from '../docker/compose.js';
import { composeBuild, composeUpNoBuild } from '../docker/compose-build.js';
import { composeOverride, type OverrideOptions } from '../docker/compose-override.js';
import type { Argv } from '../lib/argv.js';
import { quoteArgv } from '../remote/quote.js';
import { composeDir, composeDownScriptPath, composeOverridePath } from './workspace-paths.js';

/** What a Compose workspace runs on its VM, bound to the SSH user's home and the VM's Compose engine. */
export interface ComposePlan {
  project: string;
  service: string;
  /** Unpacked from `bundle.pack()` (the project folder's layout); replaced at every deploy. */
  dir: string;
  bundle: ComposeBundle;
  overridePath: string;
  overrideContent: string;
  downScriptPath: string;
  /** `down -v --rmi local --remove-orphans`, then the label sweep (composeSweep), as a shell script. */
  downScript: string;
  up: Argv;
  /** Before `up` when kamal-dev made the workspace service's image from its `build:`: Compose's build of the other services that build. */
  buildOthers?: Argv;
  stop: Argv;
  start: Argv;
}

export interface ComposeBinding {
  home: string;
  workspace: string;
  /** `docker compose` unless the VM has only `docker-compose` (known once connected). */
  engine: readonly string[] | undefined;
}

/** The compose plan of one workspace: its files on the VM, the override and every command that names them. */
export function composePlan(bundle: ComposeBundle, b: ComposeBinding, override: Omit<OverrideOptions, 'service' | 'otherServices'>): ComposePlan {
  const dir = composeDir(b.home, b.workspace);
  const overridePath = composeOverridePath(b.home, b.workspace);
  const project = composeProjectName(b.workspace);
  const invocation: ComposeInvocation = {
    engine: b.engine ?? COMPOSE_PLUGIN,
    project,
    files: [...bundle.files.map((file) => path.posix.join(dir, file)), overridePath],
  };
  const otherServices = bundle.services.filter((name) => name !== bundle.service);
  // An image kamal-dev built from the service's `build:` (and layered features on): `up --build` would build over it.
  const ownBuild = override.image !== undefined && bundle.definition.build !== undefined;
  const others = bundle.definition.otherBuilds.filter((name) => !bundle.runServices || bundle.runServices.includes(name));
  return {
    project,
    service: bundle.service,
    dir,
    bundle,
    overridePath,
    overrideContent: composeOverride({ ...override, service: bundle.service, otherServices }),
    downScriptPath: composeDownScriptPath(b.home, b.workspace),
    downScript: `${quoteArgv(composeDown(invocation))}\n${quoteArgv(composeSweep(project))}\n`,
    up: ownBuild ? composeUpNoBuild(invocation, bundle.runServices) : composeUp(invocation, bundle.runServices),
    ...(ownBuild && others.length ? { buildOthers: composeBuild(invocation, others) } : {}),
    stop: composeStop(invocation),
    start: composeStart(invocation),
  };
}
