import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { seedProject, type Project } from './project.js';

let project: Project;
beforeEach(() => {
  project = seedProject();
});
afterEach(() => project.cleanup());

it('deploy --dry-run: the legacy top-level extensions and settings are accepted, ignored with a note each', async () => {
  project.write('.devcontainer/devcontainer.json', JSON.stringify({ image: 'ruby:3.2', extensions: ['rebornix.ruby'], settings: { 'editor.tabSize': 2 } }));
  const result = await runCli(['deploy', '--dry-run'], { cwd: project.dir, env: project.env });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr.split('\n').filter((line) => line.includes('legacy property'))).toEqual([
    'WARNING: .devcontainer/devcontainer.json: extensions: a legacy property (now customizations.vscode.extensions); ignored',
    'WARNING: .devcontainer/devcontainer.json: settings: a legacy property (now customizations.vscode.settings); ignored',
  ]);
  expect(result.stdout).not.toContain('rebornix');
});
