import { run, tryRun } from './exec.js';

/** Mount points at or under `dir`, deepest first (dockerd leaves its data root bind-mounted on itself). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const { stdout } = await run('findmnt', ['-rn', '-o', 'TARGET']);
  const targets = stdout
    .split('\n')
    // findmnt -r escapes spaces and other odd bytes as \xHH
    .map((line) => line.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))))
    .filter((target) => target === dir || target.startsWith(`${dir}/`));
  return [...new Set(targets)].sort((a, b) => b.length - a.length);
}

export async function unmountUnder(dir: string): Promise<void> {
  // A path may be mounted more than once (stacked): repeat until findmnt shows nothing.
  for (let round = 0; round < 5; round++) {
    const targets = await mountsUnder(dir);
    if (targets.length === 0) return;
    for (const target of targets) {
      if (!(await tryRun('umount', [target]))) await tryRun('umount', ['-l', target]);
    }
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`could not unmount: ${left.join(', ')}`);
}
