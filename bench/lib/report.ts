import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../../src/ui/table.js';

/**
 * Set by `npm run bench:record` and `npm run test:reliability:record`, the only commands that replace the committed
 * figures in bench/results/. Every other run (`npm run bench`, the reliability suites, tests) writes to the ignored
 * bench/results/latest/.
 */
export const RECORDING = process.env.KAMAL_DEV_RECORD_RESULTS === '1';

export const RESULTS_DIR = fileURLToPath(new URL(RECORDING ? '../results/' : '../results/latest/', import.meta.url));

/** Prints a titled table on stdout. */
export function printTable(title: string, head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): void {
  console.log(`\n${title}\n${renderTable(head, rows.map((row) => row.map(String)))}`);
}

/** Where and on what the figures were taken: the machine is shared, so its load is part of the result. */
function machine() {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    loadavg_1m_at_end: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Writes <name>.json to RESULTS_DIR with the figures, the targets and the machine; returns its path. */
export async function writeResult(name: string, result: Record<string, unknown>): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${name}.json`;
  const body = { benchmark: name, recorded_at: new Date().toISOString(), machine: machine(), ...result };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(RECORDING ? `results recorded in ${file}` : `results written to ${file} (not recorded: the *:record scripts write bench/results/)`);
  return file;
}
