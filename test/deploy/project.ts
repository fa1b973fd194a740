import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SEED = fileURLToPath(new URL('../../fixtures/seed-example/', import.meta.url));

export interface Project {
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  write(file: string, content: string | Buffer): void;
  /** Every file and folder under the temporary root (project and HOME) with its size and mtime, to prove nothing changed. */
  snapshot(): string[];
  cleanup(): void;
}

/**
 * A copy of fixtures/seed-example in a fresh temporary folder, with a HOME holding an SSH key pair. The user's
 * cache folder (XDG_CACHE_HOME) is a folder of its own, outside what `snapshot` walks: a run that succeeded
 * keeps its compiled code there (docs/architecture.md#start-up), which is no file of the project or of HOME.
 */
export function seedProject(): Project {
  const root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-spec-'));
  const dir = path.join(root, 'project');
  const home = path.join(root, 'home');
  const cache = mkdtempSync(path.join(tmpdir(), 'kamal-dev-spec-cache-'));
  cpSync(SEED, dir, { recursive: true });
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'not a real key\n', { mode: 0o600 });
  writeFileSync(path.join(home, '.ssh', 'id_rsa.pub'), 'ssh-ed25519 AAAA test\n');
  const walk = (at: string): string[] =>
    readdirSync(at).flatMap((name) => {
      const full = path.join(at, name);
      const st = statSync(full);
      const line = `${path.relative(root, full)} ${st.isDirectory() ? 'dir' : `${st.size} ${st.mtimeMs}`}`;
      return st.isDirectory() ? [line, ...walk(full)] : [line];
    });
  return {
    dir,
    home,
    env: { HOME: home, XDG_CACHE_HOME: cache },
    write: (file, content) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    },
    snapshot: () => walk(root).sort(),
    cleanup: () => {
      rmSync(root, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    },
  };
}
