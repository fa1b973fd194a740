import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** Where a payload goes: each place kamal-dev passes on to docker, a shell or a file name. */
export const PLACES = ['service', 'naming.pattern', 'containerEnv', 'remoteEnv', 'localEnv', 'mount-string', 'mount-object', 'workspaceFolder', 'runArgs', 'secret-single-quoted', 'secret-unquoted'] as const;
export type Place = (typeof PLACES)[number];

/** Edits dev.yml, devcontainer.json or the secrets file of the project in `dir` so `payload` sits at `place`. */
export function plantPayload(dir: string, place: Place, payload: string, options: { dockerValid?: boolean } = {}): NodeJS.ProcessEnv {
  // docker accepts any container path but only [a-zA-Z0-9][a-zA-Z0-9_.-]* as a volume name
  const volume = (p: string) => (options.dockerValid ? 'evil-volume' : `evil${p}`);
  const devYml = path.join(dir, 'config/dev.yml');
  const devcontainer = path.join(dir, '.devcontainer/devcontainer.json');
  const secrets = path.join(dir, '.kamal/secrets');
  const editYaml = (edit: (config: Record<string, any>) => void) => {
    const config = parseYaml(readFileSync(devYml, 'utf8')) as Record<string, any>;
    edit(config);
    writeFileSync(devYml, stringifyYaml(config));
  };
  const editJson = (edit: (json: Record<string, any>) => void) => {
    const json = parseJsonc(readFileSync(devcontainer, 'utf8'), [], { allowTrailingComma: true }) as Record<string, any>;
    edit(json);
    writeFileSync(devcontainer, JSON.stringify(json, null, 2));
  };
  // single quotes are literal in Kamal's dotenv, and `;`, backticks, `|` are literal unquoted; only `$(` runs (by design)
  const secretLine = (line: string) => writeFileSync(secrets, `${readFileSync(secrets, 'utf8')}\n${line}\n`);
  switch (place) {
    case 'service':
      editYaml((c) => (c.service = `app${payload}`));
      return {};
    case 'naming.pattern':
      editYaml((c) => (c.naming = { pattern: `{service}-${payload}-{index}` }));
      return {};
    case 'containerEnv':
      editJson((j) => (j.containerEnv = { ...j.containerEnv, EVIL: payload, [`K${payload.length}`]: `v${payload}` }));
      return {};
    case 'remoteEnv':
      editJson((j) => (j.remoteEnv = { ...j.remoteEnv, EVIL: payload }));
      return {};
    case 'localEnv':
      editJson((j) => (j.containerEnv = { ...j.containerEnv, FROM_LOCAL: '${localEnv:KAMAL_DEV_EVIL}' }));
      return { KAMAL_DEV_EVIL: payload };
    case 'mount-string':
      editJson((j) => (j.mounts = [...(j.mounts ?? []), `source=${volume(payload.replaceAll(',', ''))},target=/evil${payload.replaceAll(',', '')},type=volume`]));
      return {};
    case 'mount-object':
      editJson((j) => (j.mounts = [...(j.mounts ?? []), { source: volume(payload), target: `/evil${payload}`, type: 'volume' }]));
      return {};
    case 'workspaceFolder':
      editJson((j) => (j.workspaceFolder = `/work/${payload}`));
      return {};
    case 'runArgs':
      editJson((j) => (j.runArgs = ['--label', `evil=${payload}`]));
      return {};
    case 'secret-single-quoted':
      editYaml((c) => (c.secrets = [...(c.secrets ?? []), 'EVIL_SECRET']));
      secretLine(`EVIL_SECRET='${payload.replaceAll("'", '')}'`);
      return {};
    case 'secret-unquoted':
      editYaml((c) => (c.secrets = [...(c.secrets ?? []), 'EVIL_SECRET']));
      secretLine(`EVIL_SECRET=${payload.replaceAll('$(', '\\$(').replaceAll('\n', ' ').replaceAll('#', '')}`);
      return {};
  }
}
