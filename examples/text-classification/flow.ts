// The text-classification reference project, run from code instead of the CLI:
//   npx tsx examples/text-classification/flow.ts [data] [limit]
// Same as `mlship example run text-classification`. The flow itself (its tasks, the validation gate, the
// grid search, the plots, register and promote) lives in src/cli/examples/text-classification.ts, so the
// published CLI can run it; this file shows how to call it with your own tracking client.
import { MlshipClient } from '../../src/tracking/index.js';
import { runTextClassification } from '../../src/cli/examples/text-classification.js';

const [data, limit] = process.argv.slice(2);
const client = await MlshipClient.open({ trackingUri: process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db' });
try {
  const result = await runTextClassification({
    client,
    ...(data ? { data } : {}),
    ...(limit ? { limit: Number(limit) } : {}),
    onTask: (t) => console.log(`${t.name.padEnd(9)} ${t.state.padEnd(10)} ${t.summary}`),
  });
  if (result.error) throw result.error;
  console.log(`run ${result.runId}: ${JSON.stringify(result.metrics)}`);
  console.log(`${result.model?.uri}: ${result.promotion?.message}`);
} finally {
  await client.close();
}
