import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/ui/io.js';
import { createProgress } from '../../src/ui/progress.js';
import { confirm } from '../../src/ui/prompt.js';

function streams(tty: boolean): { io: Io; err: () => string; stdin: PassThrough } {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 80 });
  let written = '';
  stderr.on('data', (chunk: Buffer) => (written += chunk.toString()));
  return { io: { stdin, stdout, stderr }, err: () => written, stdin };
}

const clock = () => new Date('2026-01-02T03:04:05.000Z');

describe('progress', () => {
  it('without a terminal: one timestamped line per step change, repeated steps once, secrets scrubbed', async () => {
    const { io, err } = streams(false);
    const progress = createProgress(io, { quiet: false, clock, scrub: (t) => t.replaceAll('s3cret', '[REDACTED]') });
    progress.update({ workspace: 'a-1', text: 'creating VM' });
    progress.update({ workspace: 'a-1', text: 'creating VM' });
    progress.update({ workspace: 'a-2', text: 'failed: token s3cret rejected', outcome: 'failed' });
    progress.done();
    await new Promise((r) => setImmediate(r));
    expect(err()).toBe('2026-01-02T03:04:05.000Z a-1: creating VM\n2026-01-02T03:04:05.000Z a-2: failed: token [REDACTED] rejected\n');
  });

  it('on a terminal: one live line per workspace, redrawn in place', async () => {
    const { io, err } = streams(true);
    const progress = createProgress(io, { quiet: false, clock });
    progress.update({ workspace: 'a-1', text: 'creating VM' });
    progress.update({ workspace: 'a-2', text: 'creating VM' });
    progress.update({ workspace: 'a-1', text: 'running', outcome: 'ok' });
    progress.done();
    await new Promise((r) => setImmediate(r));
    const out = err();
    expect(out).toContain('\u001b[2A'); // moved back up over the two lines to redraw them
    expect(out.endsWith('\u001b[2K✓ a-1  running  0.0s\n\u001b[2K… a-2  creating VM  0.0s\n')).toBe(true);
    // A second done() (commands end the view, then their session does) must not climb over the summary.
    progress.done();
    progress.update({ workspace: 'a-2', text: 'late' });
    await new Promise((r) => setImmediate(r));
    expect(err()).toBe(out);
  });

  it('--quiet prints no progress at all', async () => {
    const { io, err } = streams(true);
    const progress = createProgress(io, { quiet: true, clock });
    progress.update({ workspace: 'a-1', text: 'creating VM' });
    progress.done();
    await new Promise((r) => setImmediate(r));
    expect(err()).toBe('');
  });
});

describe('confirm', () => {
  it('asks on a terminal: y and yes mean yes, anything else no', async () => {
    for (const [answer, expected] of [['y\n', true], ['YES\n', true], ['n\n', false], ['\n', false]] as const) {
      const { io, stdin, err } = streams(true);
      const asked = confirm(io, 'Create 3 VM(s)? Continue?', '--yes');
      stdin.write(answer);
      expect(await asked).toBe(expected);
      expect(err()).toContain('Create 3 VM(s)? Continue? [y/N] ');
    }
  });

  it('never waits without a terminal: exit 2 naming the flag', async () => {
    const { io } = streams(false);
    const error = await confirm(io, 'Remove 2 workspace(s)?', '--force').catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 2, hint: 'Pass --force to answer yes.' });
  });
});
