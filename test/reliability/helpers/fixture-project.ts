import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileKind } from './mutate.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The projects the bad-input and injection suites start from. */
export const FIXTURES = {
  seed: path.join(REPO, 'fixtures/seed-example'),
  rich: path.join(REPO, 'test/reliability/fixtures/rich-project'),
} as const;
export type FixtureName = keyof typeof FIXTURES;

export const FILE_OF: Record<FileKind, string> = {
  'dev.yml': 'config/dev.yml',
  'devcontainer.json': '.devcontainer/devcontainer.json',
  secrets: '.kamal/secrets',
};

/** A HOME with an ed25519 key pair at ~/.ssh/id_ed25519(.pub) and the same at ~/.ssh/id_rsa(.pub) (the seed's key_path). */
export function makeHome(root: string): string {
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  const key = path.join(home, '.ssh', 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kamal-dev-reliability', '-f', key]);
  cpSync(key, path.join(home, '.ssh', 'id_rsa'));
  cpSync(`${key}.pub`, path.join(home, '.ssh', 'id_rsa.pub'));
  return home;
}

/** A copy of `fixture` under `root`, with `file` replaced by `bytes` when given. */
export function makeProject(root: string, fixture: FixtureName, name: string, replace?: { kind: FileKind; bytes: Buffer }): { dir: string; remove(): void } {
  const dir = path.join(root, name);
  cpSync(FIXTURES[fixture], dir, { recursive: true });
  if (replace) writeFileSync(path.join(dir, FILE_OF[replace.kind]), replace.bytes);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function tempRoot(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `kamal-dev-reliability-${label}-`));
}
