import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { hostAddresses, listLinks, listNetns } from './network.js';
import { FIRST_INSTANCE, LAST_INSTANCE, ROOT_DIR, instanceNames, instanceOfName } from './names.js';
import { isAlive, processStartTime } from './procs.js';

/** A claim file /run/kamal-dev-localcloud/i<kkk>.claim: who owns instance k. */
interface Claim {
  pid: number;
  startTime: number;
  label: string;
  /** `reaping`: the owner is removing a dead instance's leftovers, after which the claim is deleted. */
  state: 'running' | 'reaping';
}

function readClaim(path: string): Claim | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Claim>;
    if (typeof parsed.pid !== 'number' || typeof parsed.startTime !== 'number') return undefined;
    return parsed as Claim;
  } catch {
    return undefined;
  }
}

function myClaim(label: string, state: Claim['state']): string {
  const startTime = processStartTime(process.pid) ?? 0;
  return `${JSON.stringify({ pid: process.pid, startTime, label, state } satisfies Claim)}\n`;
}

export interface ClaimResult {
  k: number;
  /** Instances whose owner is dead (or that have no claim at all): now claimed for reaping by this process. */
  toReap: number[];
}

/**
 * Picks a free instance number under a machine-wide lock and writes its claim with this process as owner.
 * Instances of dead owners are taken over for reaping; a live owner's instance is never touched.
 */
export async function claimInstance(label: string): Promise<ClaimResult> {
  await mkdir(ROOT_DIR, { recursive: true });
  const lockTarget = `${ROOT_DIR}/claims`;
  await writeFile(lockTarget, '', { flag: 'a' });
  const [addresses, namespaces, links] = await Promise.all([hostAddresses(), listNetns(), listLinks()]);
  const release = await lockfile.lock(lockTarget, { stale: 15_000, retries: { retries: 100, minTimeout: 50, maxTimeout: 500 } });
  try {
    const toReap: number[] = [];
    const taken = new Set<number>();
    for (const file of readdirSync(ROOT_DIR)) {
      const match = /^i(\d{3})\.claim$/.exec(file);
      if (!match) continue;
      const k = Number(match[1]);
      taken.add(k);
      const claim = readClaim(`${ROOT_DIR}/${file}`);
      if (claim && isAlive(claim.pid, claim.startTime)) continue;
      writeFileSync(`${ROOT_DIR}/${file}`, myClaim(label, 'reaping'));
      toReap.push(k);
    }
    // Resources of an instance without a claim file are leftovers of an interrupted cleanup.
    const named = [...namespaces, ...links].map(instanceOfName).filter((k): k is number => k !== undefined);
    const folders = readdirSync(ROOT_DIR).map((f) => /^i(\d{3})$/.exec(f)?.[1]).filter((k): k is string => k !== undefined).map(Number);
    for (const k of new Set([...named, ...folders])) {
      if (taken.has(k)) continue;
      taken.add(k);
      writeFileSync(instanceNames(k).claimFile, myClaim(label, 'reaping'), { flag: 'wx' });
      toReap.push(k);
    }
    for (let k = FIRST_INSTANCE; k <= LAST_INSTANCE; k++) {
      if (taken.has(k)) continue;
      // Someone else's interface (not ours) may already use this /24: leave it alone.
      if (addresses.some((address) => address.startsWith(`198.18.${k}.`))) continue;
      const names = instanceNames(k);
      if (existsSync(names.dir)) continue;
      writeFileSync(names.claimFile, myClaim(label, 'running'), { flag: 'wx' });
      return { k, toReap };
    }
    throw new Error(`no free local cloud instance in 198.18.${FIRST_INSTANCE}-${LAST_INSTANCE}.0/24 (see ${ROOT_DIR})`);
  } finally {
    await release();
  }
}
