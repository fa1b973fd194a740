import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDevcontainer } from '../../src/devcontainer/parse.js';
import { bindWorkspace, buildServicePlan } from '../../src/deploy/workspace.js';
import { loadedConfig } from '../deploy/make-plan.js';

/**
 * devcontainers/cli's own test configs, with `devcontainer read-configuration` output of CLI 0.89.0
 * (fixtures/devcontainer-corpus/MANIFEST.md). The CLI ran with the workspace at /corpus/<case> and this env.
 */
const CORPUS = fileURLToPath(new URL('../../fixtures/devcontainer-corpus/', import.meta.url));
const ENV = { HOME: '/home/test', USER: 'test', PATH: '/usr/local/bin:/usr/bin:/bin', LOCAL_GID: '1000' };

interface Reference {
  configuration: Record<string, unknown> & { configFilePath: { fsPath: string } };
  workspace: { workspaceFolder: string; workspaceMount: string };
  mergedConfiguration?: Record<string, unknown>;
}

const cases = readdirSync(path.join(CORPUS, '_reference')).map((file) => {
  const reference = JSON.parse(readFileSync(path.join(CORPUS, '_reference', file), 'utf8')) as Reference;
  const fsPath = reference.configuration.configFilePath.fsPath;
  const folder = fsPath.split('/')[2]!;
  return { name: file.replace(/\.json$/, ''), reference, folder, file: path.join(CORPUS, fsPath.replace(/^\/corpus\//, '')) };
});

/** The image configs without features and without a Dockerfile: what kamal-dev runs. */
const SUPPORTED = cases.filter((c) => 'image' in c.reference.configuration && !('features' in c.reference.configuration) && !('build' in c.reference.configuration));

describe('devcontainer corpus: image configs agree with the reference CLI', () => {
  it('has the image- and Dockerfile-free cases', () => {
    expect(SUPPORTED.map((c) => c.name).sort()).toEqual(['image', 'image-with-mounts', 'image-with-parallel-initialize-command', 'templates-alpine']);
  });

  for (const c of SUPPORTED) {
    it(c.name, () => {
      const projectFolder = `/corpus/${c.folder}`;
      const dc = parseDevcontainer(readFileSync(c.file, 'utf8'), c.name, { env: ENV, projectFolder });
      // Every property the reference read (but its own configFilePath), with the local variables substituted, is what
      // kamal-dev read.
      const expected = Object.entries(c.reference.configuration).filter(([key]) => key !== 'configFilePath');
      for (const [key, value] of expected) expect([key, (dc.json as Record<string, unknown>)[key]]).toEqual([key, value]);
      expect(dc.workspaceFolder).toBe(c.reference.workspace.workspaceFolder);

      const service = buildServicePlan({ config: loadedConfig(), devcontainer: dc, secrets: new Map() });
      // remoteEnv reaches docker exec through an env file, which cannot hold a line break: kamal-dev refuses such a
      // value, naming its key, where the reference CLI passes it on the command line.
      const multiLine = Object.entries(dc.json.remoteEnv ?? {}).find(([, value]) => typeof value === 'string' && /[\r\n]/.test(value));
      if (multiLine) {
        expect(() => bindWorkspace(service, { name: 'ws-1', index: 1, home: '/root' })).toThrow(`remoteEnv.${multiLine[0]}: a value with a line break`);
        return;
      }
      const plan = bindWorkspace(service, { name: 'ws-1', index: 1, home: '/root' });
      // The workspace mount: the reference binds the local folder; kamal-dev binds the workspace's folder on the VM.
      const mount = plan.dockerRun[plan.dockerRun.indexOf('--mount') + 1]!;
      expect(mount.replace(plan.workspaceDir, projectFolder)).toBe(c.reference.workspace.workspaceMount);

      const merged = c.reference.mergedConfiguration!;
      expect(plan.dockerRun.includes('--init')).toBe(merged.init);
      expect(plan.dockerRun.includes('--privileged')).toBe(merged.privileged);
      // containerEnv: the -e flags before -w (runArgs, which may hold their own -e, come after it).
      const generated = plan.dockerRun.slice(0, plan.dockerRun.indexOf('-w'));
      expect(Object.fromEntries(generated.filter((_, i, all) => all[i - 1] === '-e').map((e) => e.split(/=(.*)/s).slice(0, 2)))).toEqual(merged.containerEnv);
      expect(Object.fromEntries(plan.remoteEnv)).toEqual(merged.remoteEnv);
      const hook = (groups: typeof plan.lifecycle.postCreate) => groups.flatMap((g) => g.map((cmd) => cmd.argv.at(-1)));
      expect(hook(plan.lifecycle.postCreate)).toEqual(merged.postCreateCommands);
      expect(hook(plan.lifecycle.onCreate)).toEqual(merged.onCreateCommands);
      expect(hook(plan.lifecycle.postStart)).toEqual(merged.postStartCommands);
      expect(plan.image).toEqual({ kind: 'pull', ref: merged.image });
      const runArgs = (merged.runArgs as string[] | undefined) ?? [];
      const image = plan.dockerRun.indexOf('--entrypoint');
      expect(plan.dockerRun.slice(image - runArgs.length, image)).toEqual(runArgs);
    });
  }
});

describe('devcontainer corpus: Dockerfile and features configs agree with the reference CLI', () => {
  for (const c of cases.filter((x) => !SUPPORTED.includes(x))) {
    it(c.name, () => {
      // This case's reference was recorded from a version of the file that wrote its markers to /scratch; the
      // stored file writes them to /tmp (MANIFEST.md): the one difference, undone here.
      const recorded = JSON.stringify(c.reference.configuration);
      const configuration = JSON.parse(c.name === 'dockerfile-with-parallel-commands' ? recorded.replaceAll('/scratch/', '/tmp/') : recorded) as Reference['configuration'];
      const read = () => parseDevcontainer(readFileSync(c.file, 'utf8'), c.name, { env: ENV, projectFolder: `/corpus/${c.folder}` });
      const features = Object.keys((configuration.features as Record<string, unknown> | undefined) ?? {});
      // The deprecated forms (a bare legacy name, a GitHub release owner/repo/name) are refused, naming the feature:
      // the reference CLI fails on them too (they need the GitHub API or are gone).
      const deprecated = features.find((id) => !id.includes('/') || !id.split('/')[0]!.includes('.'));
      if (deprecated !== undefined && !deprecated.startsWith('./')) {
        expect(read).toThrow(new RegExp(`^${c.name}:\\d+:\\d+: features\\.${deprecated.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
        return;
      }
      const dc = read();
      for (const [key, value] of Object.entries(configuration).filter(([key]) => key !== 'configFilePath' && key !== 'image')) {
        expect([key, (dc.json as Record<string, unknown>)[key]]).toEqual([key, value]);
      }
      expect(dc.workspaceFolder).toBe(c.reference.workspace.workspaceFolder);
      expect(dc.features!.map((f) => f.id)).toEqual(features);
      const build = (configuration.build as Record<string, unknown> | undefined) ?? {};
      const dockerfile = (build.dockerfile ?? configuration.dockerFile) as string | undefined;
      if (dockerfile === undefined) {
        expect(dc.build).toBeUndefined();
        expect(dc.image).toEqual({ kind: 'pull', ref: configuration.image });
        return;
      }
      const cacheFrom = build.cacheFrom === undefined ? [] : [build.cacheFrom].flat();
      expect(dc.build).toEqual({
        dockerfile,
        context: build.context ?? configuration.context ?? '.',
        args: build.args ?? {},
        target: build.target,
        cacheFrom,
        options: build.options ?? [],
      });
    });
  }
});
