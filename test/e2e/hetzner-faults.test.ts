import { afterAll, beforeAll, it } from 'vitest';
import { describeIf } from '../helpers/requirements.js';
import { runFaultRounds } from '../reliability/helpers/fault-rounds.js';
import { requirements, startCloud, type LocalCloud } from './local-cloud.js';

/** The short version of test/reliability/hetzner-api-faults.test.ts, in npm test. */
describeIf(requirements(), 'Hetzner API faults, short: 2 deploys of 3 workspaces at fault rate 0.2, each followed by remove --all --force', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud('hetzner', 300);
  }, 180_000);
  afterAll(async () => {
    await cloud?.close();
  }, 300_000);

  it('creates no duplicate server and leaves none', async () => {
    await runFaultRounds({ cloud, rounds: 2, workspaces: 3, faultRate: 0.2, kinds: ['5xx', '429', 'drop', 'create-500'] });
  }, 900_000);
});
