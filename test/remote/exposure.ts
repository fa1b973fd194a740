import { spawn } from 'node:child_process';

/**
 * Reads sftp-server's log (-l INFO): counts the files that received bytes and lists each one not created by
 * that same open with exactly `mode`: an open without EXCL may have reused an existing file with its old
 * (wider) mode, and an open with another mode may have exposed the bytes before a later chmod.
 */
export function modeExposures(sftpLog: string, mode: number): { writes: number; problems: string[] } {
  const opens = new Map<string, { flags: string[]; mode: number }>();
  const problems: string[] = [];
  let writes = 0;
  for (const line of sftpLog.split(/\r?\n/)) {
    const open = /^open "(.*)" flags (\S+) mode 0?([0-7]+)$/.exec(line);
    if (open) {
      opens.set(open[1] ?? '', { flags: (open[2] ?? '').split(','), mode: Number.parseInt(open[3] ?? '', 8) });
      continue;
    }
    const close = /^close "(.*)" bytes read \d+ written (\d+)$/.exec(line);
    if (!close || close[2] === '0') continue;
    writes++;
    const path = close[1] ?? '';
    const opened = opens.get(path);
    if (!opened) problems.push(`${path}: written without a logged open`);
    else if (!opened.flags.includes('CREATE') || !opened.flags.includes('EXCL')) {
      problems.push(`${path}: written through an open that may reuse an existing file (${opened.flags.join(',')})`);
    } else if (opened.mode !== mode) {
      problems.push(`${path}: created with mode ${opened.mode.toString(8)} instead of ${mode.toString(8)}`);
    }
  }
  return { writes, problems };
}

/**
 * A separate process that stats every entry of `dir` in a tight loop and reports each regular file seen
 * with `size` bytes and a mode other than `mode`. Another process, so it keeps polling while ours waits.
 */
export async function watchModes(
  dir: string,
  size: number,
  mode: number,
): Promise<{ stop(): Promise<{ polls: number; seen: string[] }> }> {
  const script = `
    const fs = require('node:fs');
    const [dir, size, mode] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
    const seen = new Set();
    let polls = 0;
    const poll = () => {
      polls++;
      for (const name of fs.readdirSync(dir)) {
        try {
          const st = fs.lstatSync(dir + '/' + name);
          if (st.isFile() && st.size === size && (st.mode & 0o777) !== mode) seen.add(name + ' ' + (st.mode & 0o777).toString(8));
        } catch {}
      }
    };
    const batch = () => { for (let i = 0; i < 100; i++) poll(); setImmediate(batch); };
    process.on('SIGTERM', () => { process.stdout.write(JSON.stringify({ polls, seen: [...seen] })); process.exit(0); });
    process.stdout.write('ready\\n');
    batch();
  `;
  const child = spawn(process.execPath, ['-e', script, dir, String(size), String(mode)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`mode watcher exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) resolve();
    });
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(out.slice('ready\n'.length)) as { polls: number; seen: string[] };
    },
  };
}
