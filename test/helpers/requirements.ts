import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/** True when CI=true: there a missing requirement fails the run instead of skipping. */
export const IN_CI = process.env.CI === 'true';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function hasCommand(path: string): boolean {
  return existsSync(path);
}

export function canCreateNetns(): boolean {
  if (!isRoot()) return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` when every requirement holds; otherwise a skipped suite that says why.
 * Under CI a missing requirement is a failure, never a silent skip.
 */
export function describeIf(requirements: Record<string, boolean>, name: string, body: () => void): void {
  const missing = Object.entries(requirements).filter(([, ok]) => !ok).map(([what]) => what);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `needs ${missing.join(', ')}`;
  if (IN_CI) {
    describe(name, () => {
      it(`has its requirements (${reason})`, () => {
        throw new Error(`${name}: ${reason}; CI must install them (scripts/install-test-deps.sh)`);
      });
    });
    return;
  }
  process.stderr.write(`SKIPPED ${name}: ${reason}\n`);
  describe.skip(`${name} (skipped: ${reason})`, body);
}
