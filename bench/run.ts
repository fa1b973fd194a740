// `npm run bench [-- name...]`: runs the named benchmarks (all by default), one after another, writing their results
// to the ignored bench/results/latest/; `npm run bench:record [-- name...]` records them in bench/results/ instead.
import { buildDeployBenchmark } from './build-deploy.js';
import { deployScalingBenchmark } from './deploy-scaling.js';
import { execScalingBenchmark } from './exec-scaling.js';
import { startupBenchmark } from './startup.js';
import { stateStoreBenchmark } from './state-store.js';
import { syncBenchmark } from './sync.js';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  startup: startupBenchmark,
  'state-store': stateStoreBenchmark,
  'deploy-scaling': deployScalingBenchmark,
  'exec-scaling': execScalingBenchmark,
  sync: syncBenchmark,
  'build-deploy': buildDeployBenchmark,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) await BENCHMARKS[name]?.();
