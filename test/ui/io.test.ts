import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processIo } from '../../src/ui/io.js';

const BIN = fileURLToPath(new URL('../../bin/kamal-dev.js', import.meta.url));

describe('processIo', () => {
  it('hands out the process streams, calling onStdout once, at the first use of stdout', () => {
    const seen: unknown[] = [];
    const io = processIo((stdout) => seen.push(stdout));
    expect(seen).toEqual([]);
    expect(io.stderr).toBe(process.stderr);
    expect(seen).toEqual([]);
    expect(io.stdout).toBe(process.stdout);
    expect(io.stdout).toBe(process.stdout);
    expect(seen).toEqual([process.stdout]);
    expect(io.stdin).toBe(process.stdin);
  });

  it('kamal-dev --version does not load child_process (commander requires it for subcommand executables kamal-dev has none of)', () => {
    const probe = "process.on('exit', () => process.stderr.write(`LOADED ${process.moduleLoadList.join('|')}\\n`));";
    const run = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(probe)}`, BIN, '--version'], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const loaded = /LOADED (.*)/.exec(run.stderr)?.[1]?.split('|') ?? [];
    expect(loaded).toContain('NativeModule net'); // stdout is a pipe here: it is built, as it must be
    expect(loaded).not.toContain('NativeModule child_process');
  });
});
