/**
 * A child process for the multi-process tests of the conformance suite. It opens the store at a
 * URI (no migration) and logs metrics in batches, printing `ack <batch>` after each batch the
 * store acknowledged.
 *
 * Usage: `log-child <uri> <runId> <key> <batches> <batchSize> [migrate]`; `batches` 0 means forever;
 * runId `new` creates a run; `migrate` opens with migration (several processes creating one store).
 */
import { openTrackingStore } from '../stores/open.js';

async function main(): Promise<void> {
  const [uri, runIdArg, key, batchesText, sizeText, migrate] = process.argv.slice(2);
  if (!uri || !runIdArg || !key || !batchesText || !sizeText) throw new Error('usage: log-child <uri> <runId> <key> <batches> <batchSize>');
  const batches = Number(batchesText);
  const size = Number(sizeText);
  const store = await openTrackingStore(uri, { migrate: migrate === 'migrate' });
  const runId = runIdArg === 'new' ? (await store.createRun({ runName: key })).info.runId : runIdArg;
  for (let b = 0; batches === 0 || b < batches; b++) {
    const metrics = [];
    for (let i = 0; i < size; i++) metrics.push({ key, value: b * size + i, step: b * size + i, timestamp: 1_700_000_000_000 + b });
    await store.logBatch(runId, { metrics });
    process.stdout.write(`ack ${b}\n`);
  }
  await store.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exit(1);
});
