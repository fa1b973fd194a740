import { afterAll, beforeAll, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { requirements, startCloud, type LocalCloud } from '../e2e/local-cloud.js';
import { runFaultRounds } from './helpers/fault-rounds.js';

const ROUNDS = Number(process.env.RELIABILITY_FAULT_ROUNDS ?? 20);
const WORKSPACES = 3;
const FAULT_RATE = 0.2;
const KINDS = ['5xx', '429', 'drop', 'create-500'];

describeIf(requirements(), `Hetzner API faults: ${ROUNDS} deploys of ${WORKSPACES} workspaces at fault rate ${FAULT_RATE}, each followed by remove --all --force`, () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud('hetzner', 300);
  }, 180_000);
  afterAll(async () => {
    await cloud?.close();
  }, 300_000);

  it('creates no duplicate server, leaves none, and every deploy ends all running or with a clear error per workspace', async () => {
    await runFaultRounds({ cloud, rounds: ROUNDS, workspaces: WORKSPACES, faultRate: FAULT_RATE, kinds: KINDS, resultName: 'reliability-hetzner-api-faults' });
  }, 3_600_000);
});
