import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderTable } from '../../src/ui/table.js';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

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

/** Writes bench/results/<name>.json with the figures, the targets and the machine; returns its path. */
export async function writeResult(name: string, result: Record<string, unknown>): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${name}.json`;
  const body = { benchmark: name, recorded_at: new Date().toISOString(), machine: machine(), ...result };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`results written to ${file}`);
  return file;
}
