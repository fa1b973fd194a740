import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Every file under `dir` (recursively) with a hash of its content. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full), entry.isFile() ? createHash('sha1').update(readFileSync(full)).digest('hex') : entry.isSymbolicLink() ? 'symlink' : 'other');
    }
  };
  walk(dir);
  return files;
}

/** Files added, removed or changed between two snapshots. */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, hash] of after) if (before.get(file) !== hash) out.push(before.has(file) ? `changed ${file}` : `created ${file}`);
  for (const file of before.keys()) if (!after.has(file)) out.push(`removed ${file}`);
  return out;
}
