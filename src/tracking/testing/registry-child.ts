/**
 * A child process for the multi-process test of the registry conformance suite. It opens the
 * registry at a URI (no migration) and moves one alias `moves` times between the model's versions
 * with compare-and-set: read the alias, point it at another version with `expectedVersion` set to
 * what it read, and on CONFLICT (another process moved it in between) read again and retry. It
 * prints `ready` once the registry is open, starts moving when it reads `go` on stdin, prints
 * `ack <n>` after each move the store acknowledged and `conflicts <n>` at the end.
 *
 * Usage: `registry-child <uri> <model> <alias> <moves> <versions> <label>`
 */
import { isMlshipError } from '../../core/index.js';
import { openRegistryStore } from '../stores/open.js';

async function main(): Promise<void> {
  const [uri, model, alias, movesText, versionsText, label] = process.argv.slice(2);
  if (!uri || !model || !alias || !movesText || !versionsText || !label) throw new Error('usage: registry-child <uri> <model> <alias> <moves> <versions> <label>');
  const moves = Number(movesText);
  const versions = Number(versionsText);
  const registry = await openRegistryStore(uri, { migrate: false });
  await registry.getRegisteredModel(model);
  // Start together: say `ready`, then wait for `go` on stdin (the parent sends it once all are ready).
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    let input = '';
    process.stdin.on('data', (chunk: Buffer) => {
      input += chunk.toString();
      if (input.includes('go\n')) resolve();
    });
  });
  process.stdin.destroy();
  let conflicts = 0;
  for (let n = 0; n < moves; ) {
    let current: number | null = null;
    try {
      current = (await registry.getModelVersionByAlias(model, alias)).version;
    } catch (err) {
      if (!isMlshipError(err, 'NOT_FOUND')) throw err;
    }
    const target = ((current ?? 0) % versions) + 1;
    try {
      await registry.setAlias(model, alias, target, { expectedVersion: current, reason: `${label} move ${n}` });
    } catch (err) {
      if (!isMlshipError(err, 'CONFLICT')) throw err;
      conflicts++;
      continue;
    }
    n++;
    process.stdout.write(`ack ${n}\n`);
  }
  process.stdout.write(`conflicts ${conflicts}\n`);
  await registry.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exit(1);
});
