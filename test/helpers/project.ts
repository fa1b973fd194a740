import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** A fresh temp folder with a HOME holding an ed25519 key pair at ~/.ssh/id_rsa(.pub) and ~/.ssh/id_ed25519(.pub). */
export function tempProject(fixture?: string): { dir: string; home: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-test-'));
  const home = path.join(dir, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kamal-dev-test', '-f', path.join(home, '.ssh', 'id_ed25519')]);
  cpSync(path.join(home, '.ssh', 'id_ed25519'), path.join(home, '.ssh', 'id_rsa'));
  cpSync(path.join(home, '.ssh', 'id_ed25519.pub'), path.join(home, '.ssh', 'id_rsa.pub'));
  const project = path.join(dir, 'project');
  mkdirSync(project);
  if (fixture) cpSync(path.join(FIXTURES, fixture), project, { recursive: true });
  return { dir: project, home };
}

export function writeFile(root: string, relative: string, content: string, mode?: number): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, mode === undefined ? {} : { mode });
  return file;
}
