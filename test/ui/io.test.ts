import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FdOutput, isPipeOrFile } from '../../src/ui/fd-output.js';
import { processIo } from '../../src/ui/io.js';

const BIN = fileURLToPath(new URL('../../bin/kamal-dev.js', import.meta.url));

describe('processIo', () => {
  it('hands out the streams on first use, calling onStdout once; a pipe or file is written to its descriptor', () => {
    const seen: unknown[] = [];
    const io = processIo((stdout) => seen.push(stdout));
    expect(seen).toEqual([]);
    const stderr = io.stderr;
    expect(io.stderr).toBe(stderr);
    if (isPipeOrFile(2)) expect(stderr).toBeInstanceOf(FdOutput);
    else expect(stderr).toBe(process.stderr);
    expect(seen).toEqual([]);
    const stdout = io.stdout;
    expect(io.stdout).toBe(stdout);
    if (isPipeOrFile(1)) expect((stdout as FdOutput).fd).toBe(1);
    else expect(stdout).toBe(process.stdout);
    expect(seen).toEqual([stdout]);
    expect(io.stdin).toBe(process.stdin);
  });

  it('kamal-dev --version on a pipe loads neither child_process nor net (no socket is made for the pipe)', () => {
    // written with writeSync: the probe's own process.stderr would build the stream it looks for
    const probe = "import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, `LOADED ${process.moduleLoadList.join('|')}\\n`));";
    const run = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(probe)}`, BIN, '--version'], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const loaded = /LOADED (.*)/.exec(run.stderr)?.[1]?.split('|') ?? [];
    expect(loaded).toContain('NativeModule fs');
    expect(loaded).not.toContain('NativeModule net');
    expect(loaded).not.toContain('NativeModule child_process');
  });

  it('a reader that goes away (`kamal-dev list | head -c 1`) ends the run with exit 0 and nothing on stderr', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kamal-dev-io-'));
    try {
      mkdirSync(path.join(dir, '.kamal'));
      const entry = (i: number) => `  myapp-dev-${i}:\n    vm_id: "00${i}"\n    vm_ip: "198.18.0.${i % 250}"\n    container_name: myapp-dev-${i}\n    status: running\n`;
      // far more than a pipe holds, so the writes after the reader closed fail with EPIPE
      writeFileSync(path.join(dir, '.kamal/dev_state.yml'), `deployments:\n${Array.from({ length: 3000 }, (_, i) => entry(i + 1)).join('')}`, { mode: 0o600 });
      const child = spawn(process.execPath, [BIN, 'list', '--format', 'json'], { cwd: dir, env: { PATH: process.env.PATH, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
