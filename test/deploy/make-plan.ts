import path from 'node:path';
import type { LoadedConfig } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/load.js';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';
import { bindWorkspace, buildServicePlan, type ServicePlan, type WorkspacePlan } from '../../src/deploy/workspace.js';
import { Secret } from '../../src/lib/secret.js';
import { quoteArgv } from '../../src/remote/quote.js';

export const ROOT = '/home/dev/myapp';

/** A LoadedConfig as loadConfig would return it for a project in ROOT, without touching the disk. */
export function loadedConfig(overrides: Record<string, unknown> = {}): LoadedConfig {
  const config = validateConfig(
    { service: 'myapp-dev', provider: { type: 'upcloud', zone: 'us-nyc1', plan: '1xCPU-2GB' }, ...overrides },
    'config/dev.yml',
  );
  return {
    file: 'config/dev.yml',
    fileOf: () => 'config/dev.yml',
    root: ROOT,
    config,
    aliases: new Map(),
    source: config.image.endsWith('.json') ? { kind: 'devcontainer', path: path.join(ROOT, config.image) } : { kind: 'image', ref: config.image },
    destination: undefined,
    secretsFile: path.join(ROOT, '.kamal/secrets'),
    secretsCommonFile: path.join(ROOT, '.kamal/secrets-common'),
    publicKeyPath: '/home/dev/.ssh/id_rsa.pub',
    privateKeyPath: '/home/dev/.ssh/id_rsa',
    keyProblem: undefined,
    statePath: path.join(ROOT, '.kamal/dev_state.yml'),
  };
}

export interface PlanCase {
  devcontainer: string;
  config?: Record<string, unknown>;
  secrets?: Record<string, string>;
  env?: Record<string, string>;
  name?: string;
  spread?: boolean;
  home?: string;
}

export function servicePlan(c: PlanCase): ServicePlan {
  const spread = c.spread ?? true;
  const config = loadedConfig({ ...c.config, vms: { spread, ...(c.config?.vms as object | undefined) } });
  const devcontainer = parseDevcontainer(c.devcontainer, '.devcontainer/devcontainer.json', { env: c.env ?? {}, projectFolder: ROOT });
  return buildServicePlan({ config, devcontainer, secrets: new Map(Object.entries(c.secrets ?? {}).map(([k, v]) => [k, new Secret(v)])) });
}

export function plan(c: PlanCase): WorkspacePlan {
  return bindWorkspace(servicePlan(c), { name: c.name ?? 'myapp-dev-1', index: 1, home: c.home ?? '/root' });
}

/** The quoted command line with the (separately tested) spec hash masked. */
export function commandLine(p: WorkspacePlan): string {
  return quoteArgv(p.dockerRun).replace(/spec-hash=[0-9a-f]{64}/, 'spec-hash=<hash>');
}

export const HEAD = 'docker run --detach --name myapp-dev-1 --label kamal-dev.service=myapp-dev --label kamal-dev.workspace=myapp-dev-1 --label kamal-dev.spec-hash=<hash> --restart unless-stopped';
export const KEEP = `--entrypoint /bin/sh IMAGE -c 'echo Container started; trap "exit 0" 15; exec "$@"; while sleep 1 & wait $!; do :; done' -`;
export const ENV_FILE = '--env-file /root/.kamal-dev/env/myapp-dev-1.env';
export const WS_MOUNT = (folder: string) => `--mount type=bind,source=/root/.kamal-dev/workspaces/myapp-dev-1,target=${folder}`;
